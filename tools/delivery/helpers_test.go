package delivery

import (
	"bytes"
	"context"
	"fmt"
	"log/slog"
	"net/http"
	"os"
	"path/filepath"
	"sync"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// now is the fixed clock of the tests.
var now = time.Date(2026, 11, 22, 0, 5, 0, 0, time.UTC)

var seoul, _ = time.LoadLocation("Asia/Seoul")

// sampleCheck is a small check with findings and a CPU series for the heat strip.
func sampleCheck(cluster, region, verdict string) report.Check {
	c := report.Check{
		ID: cluster + "-20261122t0005z-abc123", Cluster: cluster, Region: region, Engine: "aurora-mysql", EngineVersion: "8.0",
		GeneratedAt: now, Window: report.Window{Start: now.Add(-24 * time.Hour), End: now, Timezone: "Asia/Seoul"},
		Verdict: verdict, Headline: cluster + ": " + verdict,
	}
	switch verdict {
	case "critical":
		c.Findings = []report.Finding{
			{Severity: "critical", Code: "cpu_high", Title: "Writer CPU at 95% for 40 minutes", Resource: cluster + "-1"},
			{Severity: "warning", Code: "replica_lag", Title: "Replica lag up to 12 s", Resource: cluster + "-3"},
			{Severity: "info", Code: "pi", Title: "PI retention 7 days"},
		}
	case "warning":
		c.Findings = []report.Finding{{Severity: "warning", Code: "backup", Title: "Backups kept 1 day"}}
	}
	var pts []report.Point
	for t := c.Window.Start; t.Before(c.Window.End); t = t.Add(10 * time.Minute) {
		v := 20.0
		if t.Hour() == 18 {
			v = 95
		}
		pts = append(pts, report.Point{T: t, V: v})
	}
	c.Metrics = []report.MetricPanel{{Metric: "CPUUtilization", Title: "CPU", Unit: "%", Series: []report.Series{{Instance: cluster + "-1", Role: "writer", Points: pts}}}}
	return c
}

// fakeRender writes a tiny HTML report the way report.Write names files.
func fakeRender(dir string, c report.Check, format string) (string, int64, error) {
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, err
	}
	p := filepath.Join(dir, fmt.Sprintf("%s-%s.%s", c.Cluster, c.GeneratedAt.UTC().Format("20060102-1504"), format))
	body := []byte("<!DOCTYPE html><html><head><title>" + c.Cluster + "</title></head><body><h1>Report of " + c.Cluster + "</h1></body></html>")
	if err := os.WriteFile(p, body, 0o644); err != nil {
		return "", 0, err
	}
	return p, int64(len(body)), nil
}

// memChecks is a Checks store.
type memChecks map[string]report.Check

func (m memChecks) Get(id string) (report.Check, error) {
	c, ok := m[id]
	if !ok {
		return report.Check{}, tools.Errorf("no check with id %q; run run_health_check first", id)
	}
	return c, nil
}

// sleeps records the waits PostWebhook asks for instead of sleeping.
type sleeps struct {
	mu sync.Mutex
	d  []time.Duration
}

func (s *sleeps) sleep(_ context.Context, d time.Duration) error {
	s.mu.Lock()
	s.d = append(s.d, d)
	s.mu.Unlock()
	return nil
}

// logBuffer is a JSON slog logger into a buffer, to search log lines.
type logBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *logBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *logBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

func (l *logBuffer) logger() *slog.Logger {
	return slog.New(slog.NewJSONHandler(l, &slog.HandlerOptions{Level: slog.LevelDebug}))
}

// accessDenied is what the SDK returns when IAM refuses a call.
func accessDenied(op string) error {
	return &smithy.OperationError{ServiceID: "RDS", OperationName: op,
		Err: &smithy.GenericAPIError{Code: "AccessDenied", Message: "User: arn:aws:sts::123456789012:assumed-role/kida/x is not authorized to perform: rds:" + op}}
}

// expiringClients wraps Clients with credentials that expire at exp.
type expiringClients struct {
	awsclient.Clients
	exp time.Time
}

func (e expiringClients) CredentialsExpiry(context.Context) (time.Time, bool, error) {
	return e.exp, true, nil
}

// staticCreds never expire.
var staticCreds = aws.CredentialsProviderFunc(func(context.Context) (aws.Credentials, error) {
	return aws.Credentials{AccessKeyID: "test", SecretAccessKey: "test", Source: "test"}, nil
})

// slackRecorder is an httptest handler that records bodies and answers with a script of statuses.
type slackRecorder struct {
	mu     sync.Mutex
	bodies [][]byte
	paths  []string
	script []func(w http.ResponseWriter) // one per request; past the end → 200 ok
}

func (s *slackRecorder) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	b := new(bytes.Buffer)
	b.ReadFrom(r.Body)
	s.mu.Lock()
	n := len(s.bodies)
	s.bodies = append(s.bodies, b.Bytes())
	s.paths = append(s.paths, r.URL.Path)
	var f func(http.ResponseWriter)
	if n < len(s.script) {
		f = s.script[n]
	}
	s.mu.Unlock()
	if f != nil {
		f(w)
		return
	}
	w.Write([]byte("ok"))
}

func (s *slackRecorder) got() ([][]byte, []string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([][]byte(nil), s.bodies...), append([]string(nil), s.paths...)
}
