package awstest

import (
	"bytes"
	"compress/gzip"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"os"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Route is one recorded response served by Replay.
//
// Op names the operation the route answers. It matches either the bare operation name
// ("GetResourceMetrics", "DescribePendingMaintenanceActions") or the full protocol name: the
// X-Amz-Target header of awsJson protocols ("PerformanceInsightsv20180227.GetResourceMetrics",
// "CloudTrail_20131101.LookupEvents", "AWSHealth_20160804.DescribeEvents",
// "GraniteServiceVersion20100801.DescribeAlarmHistory" for CloudWatch with CloudWatchJSON), the Action
// form field of awsQuery protocols (RDS; CloudWatch with CloudWatchQuery), or "<Service>.<Op>" from the
// /service/<Service>/operation/<Op> path of rpcv2 CBOR (CloudWatch's default — recorded CBOR bodies are
// impractical, so prefer CloudWatchJSON/CloudWatchQuery).
//
// The first route (in NewReplay order) whose Op matches and whose Match (if set) returns true answers.
type Route struct {
	Op string
	// Status defaults to 200.
	Status int
	// ContentType defaults to the request's protocol: the request's application/x-amz-json-1.x type for
	// awsJson, "text/xml" for awsQuery, "application/cbor" for rpcv2.
	ContentType string
	// Body is the response body. Use either Body or File.
	Body string
	// File is read once by NewReplay, relative to the working directory of the test (the package
	// directory under go test), e.g. "testdata/pi_get_resource_metrics.json".
	File string
	// Match, if set, must also return true. body is the request body (gzip already undone).
	Match func(r *http.Request, body []byte) bool
}

// Recorded is one request received by a Replay.
type Recorded struct {
	Op     string      // bare operation name, e.g. "GetResourceMetrics"
	Target string      // full name: X-Amz-Target, Action, or "<Service>.<Op>" for rpcv2
	Method string      // always POST for AWS RPC protocols
	Path   string      // URL path
	Header http.Header // request headers as received
	Body   []byte      // request body, gzip Content-Encoding undone
	Form   url.Values  // parsed Body for application/x-www-form-urlencoded (awsQuery) requests, else nil
}

// Replay serves recorded AWS-format HTTP responses with httptest, for operations moto lacks
// (Performance Insights, CloudTrail LookupEvents, Health, DescribePendingMaintenanceActions,
// DescribeDBRecommendations, DescribeAlarmHistory, …). Requests no route answers fail the test
// (t.Errorf naming the operation) and get HTTP 400 with an AWS-style "InvalidAction" error body.
type Replay struct {
	t      testing.TB
	srv    *httptest.Server
	routes []Route

	mu       sync.Mutex
	requests []Recorded
}

// NewReplay starts an httptest server on 127.0.0.1 serving routes; it is closed on test cleanup.
func NewReplay(t testing.TB, routes ...Route) *Replay {
	t.Helper()
	rs := make([]Route, len(routes))
	for i, r := range routes {
		if r.Op == "" {
			t.Fatalf("awstest.NewReplay: route %d has no Op", i)
		}
		if r.File != "" {
			if r.Body != "" {
				t.Fatalf("awstest.NewReplay: route %d (%s) sets both Body and File", i, r.Op)
			}
			b, err := os.ReadFile(r.File)
			if err != nil {
				t.Fatalf("awstest.NewReplay: route %d (%s): %v", i, r.Op, err)
			}
			r.Body = string(b)
		}
		if r.Status == 0 {
			r.Status = http.StatusOK
		}
		rs[i] = r
	}
	rp := &Replay{t: t, routes: rs}
	rp.srv = httptest.NewServer(http.HandlerFunc(rp.serve))
	t.Cleanup(rp.srv.Close)
	return rp
}

// URL returns the server's base URL, http://127.0.0.1:PORT.
func (r *Replay) URL() string { return r.srv.URL }

// Config returns an aws.Config aimed at this server, built like Moto.Config (static "test" credentials,
// RetryMaxAttempts 1, nothing read from the developer's AWS environment).
func (r *Replay) Config(t testing.TB, region string) aws.Config {
	t.Helper()
	return newConfig(region, r.srv.URL)
}

// Requests returns every request received for op (bare or full name, as in Route.Op), matched or not,
// in arrival order.
func (r *Replay) Requests(op string) []Recorded {
	r.mu.Lock()
	defer r.mu.Unlock()
	var out []Recorded
	for _, rec := range r.requests {
		if op == rec.Op || op == rec.Target {
			out = append(out, rec)
		}
	}
	return out
}

// Count returns how many requests were received for op (bare or full name).
func (r *Replay) Count(op string) int { return len(r.Requests(op)) }

// protocol families, for defaults and error bodies.
const (
	protoJSON = iota
	protoQuery
	protoCBOR
	protoUnknown
)

func (r *Replay) serve(w http.ResponseWriter, req *http.Request) {
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		r.t.Errorf("awstest.Replay: reading %s %s body: %v", req.Method, req.URL.Path, err)
		http.Error(w, err.Error(), http.StatusInternalServerError)
		return
	}
	body := raw
	if strings.EqualFold(req.Header.Get("Content-Encoding"), "gzip") {
		if zr, err := gzip.NewReader(bytes.NewReader(raw)); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				body = b
			}
		}
	}

	rec := Recorded{Method: req.Method, Path: req.URL.Path, Header: req.Header.Clone(), Body: body}
	proto := protoUnknown
	ct := req.Header.Get("Content-Type")
	switch {
	case req.Header.Get("X-Amz-Target") != "":
		proto = protoJSON
		rec.Target = req.Header.Get("X-Amz-Target")
		rec.Op = rec.Target[strings.LastIndex(rec.Target, ".")+1:]
	case strings.HasPrefix(ct, "application/x-www-form-urlencoded"):
		proto = protoQuery
		if form, err := url.ParseQuery(string(body)); err == nil {
			rec.Form = form
			rec.Op = form.Get("Action")
			rec.Target = rec.Op
		}
	case strings.HasPrefix(req.URL.Path, "/service/") && strings.Contains(req.URL.Path, "/operation/"):
		proto = protoCBOR
		parts := strings.Split(strings.TrimPrefix(req.URL.Path, "/service/"), "/")
		if len(parts) == 3 && parts[1] == "operation" {
			rec.Op = parts[2]
			rec.Target = parts[0] + "." + parts[2]
		}
	}
	r.mu.Lock()
	r.requests = append(r.requests, rec)
	seq := len(r.requests)
	r.mu.Unlock()

	w.Header().Set("X-Amzn-RequestId", "awstest-replay-"+strconv.Itoa(seq))
	for _, rt := range r.routes {
		if rec.Op == "" || (rt.Op != rec.Op && rt.Op != rec.Target) {
			continue
		}
		if rt.Match != nil && !rt.Match(req, body) {
			continue
		}
		ctype := rt.ContentType
		if ctype == "" {
			ctype = defaultContentType(proto, ct)
		}
		w.Header().Set("Content-Type", ctype)
		w.WriteHeader(rt.Status)
		_, _ = io.WriteString(w, rt.Body)
		return
	}

	name := rec.Target
	if name == "" {
		name = req.Method + " " + req.URL.Path
	}
	known := make([]string, len(r.routes))
	for i, rt := range r.routes {
		known[i] = rt.Op
	}
	r.t.Errorf("awstest.Replay: no route for operation %q (%s %s, Content-Type %q); routes: %v; request body: %.500s",
		name, req.Method, req.URL.Path, ct, known, body)
	writeAWSError(w, proto, ct, "InvalidAction", "awstest.Replay has no route for operation "+name, seq)
}

func defaultContentType(proto int, reqCT string) string {
	switch proto {
	case protoJSON:
		if strings.HasPrefix(reqCT, "application/x-amz-json-") {
			return reqCT
		}
		return "application/x-amz-json-1.1"
	case protoQuery:
		return "text/xml"
	case protoCBOR:
		return "application/cbor"
	}
	return "application/octet-stream"
}

// writeAWSError writes a 400 in the error format of the request's protocol.
func writeAWSError(w http.ResponseWriter, proto int, reqCT, code, msg string, seq int) {
	if proto == protoQuery {
		var esc bytes.Buffer
		_ = xml.EscapeText(&esc, []byte(msg))
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(http.StatusBadRequest)
		fmt.Fprintf(w, "<ErrorResponse><Error><Type>Sender</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>awstest-replay-%d</RequestId></ErrorResponse>",
			code, esc.String(), seq)
		return
	}
	// awsJson error shape (rpcv2 CBOR clients cannot decode it, but the test already failed with a clear message).
	w.Header().Set("Content-Type", defaultContentType(protoJSON, reqCT))
	w.Header().Set("X-Amzn-ErrorType", code)
	w.WriteHeader(http.StatusBadRequest)
	_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
}
