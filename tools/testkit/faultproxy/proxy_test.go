package faultproxy

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"
)

const auth = "AWS4-HMAC-SHA256 Credential=test/20261122/us-east-1/%s/aws4_request, SignedHeaders=host, Signature=x"

func req(t *testing.T, p *Proxy, method, path, svc, ct, target, body string) (*http.Response, string, error) {
	t.Helper()
	r, err := http.NewRequest(method, p.URL()+path, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	r.Header.Set("Authorization", strings.Replace(auth, "%s", svc, 1))
	if ct != "" {
		r.Header.Set("Content-Type", ct)
	}
	if target != "" {
		r.Header.Set("X-Amz-Target", target)
	}
	c := &http.Client{Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true}}
	res, err := c.Do(r)
	if err != nil {
		return nil, "", err
	}
	defer res.Body.Close()
	b, err := io.ReadAll(res.Body)
	return res, string(b), err
}

// TestProxy: operations are named per protocol and counted; stubs, rewrites and each fault kind behave as
// documented; faults with Times stop after that many requests.
func TestProxy(t *testing.T) {
	up := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		b, _ := io.ReadAll(r.Body)
		_, _ = io.WriteString(w, "upstream "+r.Method+" "+r.URL.Path+" "+string(b))
	}))
	defer up.Close()
	p, err := New(up.URL, Options{
		Stubs: []Stub{{Op: "pi:GetResourceMetrics", Body: `{"MetricList":[]}`}},
		Rewrite: func(op string, b []byte) []byte {
			return []byte(strings.ReplaceAll(string(b), "upstream", "rewritten"))
		},
	})
	if err != nil {
		t.Fatal(err)
	}
	defer p.Close()
	if _, err := New("http://10.0.0.1:80", Options{}); err == nil {
		t.Error("a non-loopback upstream was accepted")
	}

	_, body, _ := req(t, p, "POST", "/", "rds", "application/x-www-form-urlencoded", "", "Action=DescribeDBClusters&Version=2014-10-31")
	if !strings.HasPrefix(body, "rewritten POST /") {
		t.Errorf("query: %q", body)
	}
	res, body, _ := req(t, p, "POST", "/", "pi", "application/x-amz-json-1.1", "PerformanceInsightsv20180227.GetResourceMetrics", "{}")
	if body != `{"MetricList":[]}` || res.Header.Get("Content-Type") != "application/x-amz-json-1.1" {
		t.Errorf("stub: %q %q", body, res.Header.Get("Content-Type"))
	}
	req(t, p, "POST", "/service/GraniteServiceVersion20100801/operation/GetMetricData", "monitoring", "application/cbor", "", "x")
	req(t, p, "PUT", "/bucket/reports/a.html", "s3", "text/html", "", "<html>")
	req(t, p, "POST", "/v2/email/outbound-emails", "ses", "application/json", "", "{}")
	want := map[string]int{"rds:DescribeDBClusters": 1, "pi:GetResourceMetrics": 1, "monitoring:GetMetricData": 1, "s3:PutObject": 1, "ses:SendEmail": 1}
	for op, n := range want {
		if p.Counts()[op] != n {
			t.Errorf("counts: %v", p.Counts())
			break
		}
	}

	// a status fault twice, then through
	p.SetFaults(Fault{Op: "rds:*", Kind: KindStatus, Status: 400, Code: "Throttling", Times: 2})
	for i := 0; i < 3; i++ {
		res, body, _ := req(t, p, "POST", "/", "rds", "application/x-www-form-urlencoded", "", "Action=DescribeEvents")
		if i < 2 && (res.StatusCode != 400 || !strings.Contains(body, "<Code>Throttling</Code>")) {
			t.Errorf("fault %d: %d %s", i, res.StatusCode, body)
		}
		if i == 2 && res.StatusCode != 200 {
			t.Errorf("after Times: %d", res.StatusCode)
		}
	}
	if p.Injected()["rds:DescribeEvents"] != 2 {
		t.Errorf("injected %v", p.Injected())
	}
	// JSON error shape
	p.SetFaults(Fault{Op: "GetResourceMetrics", Kind: KindStatus, Status: 503})
	res, body, _ = req(t, p, "POST", "/", "pi", "application/x-amz-json-1.1", "PerformanceInsightsv20180227.GetResourceMetrics", "{}")
	if res.StatusCode != 503 || res.Header.Get("X-Amzn-ErrorType") != "ServiceUnavailable" || !strings.Contains(body, `"__type":"ServiceUnavailable"`) {
		t.Errorf("json error: %d %v %s", res.StatusCode, res.Header, body)
	}
	// reset: no response at all
	p.SetFaults(Fault{Op: "*", Kind: KindReset})
	if _, _, err := req(t, p, "POST", "/", "rds", "application/x-www-form-urlencoded", "", "Action=DescribeDBInstances"); err == nil {
		t.Error("reset: got a response")
	}
	// truncate: the body ends early
	p.SetFaults(Fault{Op: "*", Kind: KindTruncate})
	if _, _, err := req(t, p, "POST", "/", "rds", "application/x-www-form-urlencoded", "", "Action=DescribeDBInstances"); !errors.Is(err, io.ErrUnexpectedEOF) {
		t.Errorf("truncate: %v", err)
	}
	// delay
	p.SetFaults(Fault{Op: "*", Kind: KindDelay, Delay: 50 * time.Millisecond})
	if res, _, err := req(t, p, "POST", "/", "rds", "application/x-www-form-urlencoded", "", "Action=DescribeDBInstances"); err != nil || res.StatusCode != 200 {
		t.Errorf("delay: %v", err)
	}
	p.Reset()
	if p.Total() != 0 {
		t.Errorf("after Reset: %v", p.Counts())
	}
}
