// Package faultproxy is a loopback HTTP proxy for AWS wire tests and benchmarks. Point
// awsclient.Options.Endpoint (or aws.Config.BaseEndpoint) at it; it forwards every request to an upstream
// (moto_server, an awstest.Replay) and, per AWS operation,
//
//   - counts the requests it received (every attempt, so SDK retries show),
//   - adds a fixed latency to every call (Options.Latency: a model of the real AWS round trip),
//   - answers operations the upstream lacks with canned responses (Stub),
//   - rewrites upstream responses (Rewrite: e.g. turn on fields moto never returns),
//   - injects faults (Fault): an HTTP status with an AWS-format error (throttling, 5xx), extra latency, a
//     connection reset, a body cut short of its Content-Length.
//
// Operations are named "<signing service>:<Operation>", e.g. "rds:DescribeDBClusters", "pi:GetResourceMetrics",
// "monitoring:GetMetricData", "logs:FilterLogEvents" (the service comes from the SigV4 credential scope, the
// operation from X-Amz-Target, the awsQuery Action field, the rpcv2 path, or the REST method and path for
// S3 and SES v2). Test-only: import it from _test.go files and from cmd/kida-mcp/internal/bench.
package faultproxy

import (
	"bufio"
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"encoding/xml"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"sort"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Stub answers an operation without asking the upstream.
type Stub struct {
	Op          string // "<service>:<Op>" or bare "<Op>"
	Status      int    // default 200
	ContentType string // default from the request's protocol
	Body        string
	// Match, when set, must also accept the request (body with gzip undone).
	Match func(body []byte) bool
	// Func, when set, computes the body from the request body (Body is then ignored).
	Func func(body []byte) []byte
}

// Fault kinds.
const (
	KindStatus   = "status"   // answer Status with an AWS-format error Code (no upstream call)
	KindDelay    = "delay"    // wait Delay, then forward as usual
	KindReset    = "reset"    // close the connection with a TCP reset, no response
	KindTruncate = "truncate" // forward, then send half the body under the full Content-Length and close
)

// Fault is one injected failure.
type Fault struct {
	Op     string // "<service>:<Op>", bare "<Op>", "<service>:*", or "*" for every operation
	Kind   string
	Status int    // KindStatus: e.g. 400, 429, 500, 503
	Code   string // KindStatus: error code, e.g. "ThrottlingException"; default from Status
	// Header is added to a KindStatus answer (e.g. Retry-After).
	Header map[string]string
	Delay  time.Duration // KindDelay
	// Times limits the fault to the first Times matching requests (0: every one).
	Times int
}

// Options configure a Proxy.
type Options struct {
	// Latency is added to every request before it is answered (stubs and faults included).
	Latency time.Duration
	Stubs   []Stub
	Faults  []Fault
	// Rewrite, when set, may replace the upstream's response body of op (status 200 only).
	Rewrite func(op string, body []byte) []byte
}

// Proxy is a running loopback proxy. Close it when done.
type Proxy struct {
	upstream *url.URL
	srv      *http.Server
	ln       net.Listener
	client   *http.Client

	mu       sync.Mutex
	opts     Options
	counts   map[string]int
	injected map[string]int
	hits     []int // per fault, matching requests seen
	inflight sync.WaitGroup
}

// New starts a proxy on 127.0.0.1 (kernel-chosen port) in front of upstream ("http://127.0.0.1:PORT").
func New(upstream string, o Options) (*Proxy, error) {
	u, err := url.Parse(upstream)
	if err != nil {
		return nil, fmt.Errorf("faultproxy: upstream %q: %w", upstream, err)
	}
	if h := u.Hostname(); h != "127.0.0.1" && h != "localhost" && h != "::1" {
		return nil, fmt.Errorf("faultproxy: upstream %q is not on loopback", upstream)
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &Proxy{upstream: u, ln: ln, counts: map[string]int{}, injected: map[string]int{},
		client: &http.Client{Transport: &http.Transport{Proxy: nil, MaxIdleConnsPerHost: 64, IdleConnTimeout: 30 * time.Second}}}
	p.SetOptions(o)
	p.srv = &http.Server{Handler: http.HandlerFunc(p.serve), ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = p.srv.Serve(ln) }()
	return p, nil
}

// URL is the proxy's base URL, http://127.0.0.1:PORT.
func (p *Proxy) URL() string { return "http://" + p.ln.Addr().String() }

// SetOptions replaces latency, stubs, faults and rewrite (counts are kept; see Reset).
func (p *Proxy) SetOptions(o Options) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opts = o
	p.hits = make([]int, len(o.Faults))
}

// SetFaults replaces the faults only.
func (p *Proxy) SetFaults(fs ...Fault) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.opts.Faults = fs
	p.hits = make([]int, len(fs))
}

// Reset zeroes the counters.
func (p *Proxy) Reset() {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.counts = map[string]int{}
	p.injected = map[string]int{}
	p.hits = make([]int, len(p.opts.Faults))
}

// Counts returns requests received per operation ("<service>:<Op>"), retries included.
func (p *Proxy) Counts() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.counts))
	for k, v := range p.counts {
		out[k] = v
	}
	return out
}

// Injected returns how many requests per operation got a fault.
func (p *Proxy) Injected() map[string]int {
	p.mu.Lock()
	defer p.mu.Unlock()
	out := make(map[string]int, len(p.injected))
	for k, v := range p.injected {
		out[k] = v
	}
	return out
}

// Total is the number of requests received.
func (p *Proxy) Total() int {
	n := 0
	for _, v := range p.Counts() {
		n += v
	}
	return n
}

// Close stops the proxy, waits for its handlers and drops its upstream connections.
func (p *Proxy) Close() error {
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	err := p.srv.Shutdown(ctx)
	if err != nil {
		_ = p.srv.Close()
	}
	p.inflight.Wait()
	p.client.CloseIdleConnections()
	return err
}

// Table renders counts as "op n" lines sorted by op (for logs and the bench).
func Table(counts map[string]int) string {
	keys := make([]string, 0, len(counts))
	for k := range counts {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	var b strings.Builder
	for _, k := range keys {
		fmt.Fprintf(&b, "%s %d\n", k, counts[k])
	}
	return b.String()
}

// protocol families.
const (
	protoJSON = iota
	protoQuery
	protoCBOR
	protoREST
)

// request is what the proxy learned about one request.
type request struct {
	op, bare string
	proto    int
	ct       string // request Content-Type
	body     []byte // gzip undone (matching)
	raw      []byte // as received (forwarding)
}

func (p *Proxy) serve(w http.ResponseWriter, r *http.Request) {
	p.inflight.Add(1)
	defer p.inflight.Done()
	raw, err := io.ReadAll(r.Body)
	if err != nil {
		http.Error(w, err.Error(), http.StatusBadRequest)
		return
	}
	req := identify(r, raw)

	p.mu.Lock()
	p.counts[req.op]++
	o := p.opts
	var fault *Fault
	for i := range o.Faults {
		f := o.Faults[i]
		if !opMatches(f.Op, req) {
			continue
		}
		if f.Times > 0 && p.hits[i] >= f.Times {
			continue
		}
		p.hits[i]++
		fault = &f
		p.injected[req.op]++
		break
	}
	p.mu.Unlock()

	ctx := r.Context()
	if !sleep(ctx, o.Latency) {
		return
	}
	if fault != nil {
		switch fault.Kind {
		case KindDelay:
			if !sleep(ctx, fault.Delay) {
				return
			}
		case KindStatus:
			writeError(w, req, fault)
			return
		case KindReset:
			reset(w)
			return
		}
	}
	for _, s := range o.Stubs {
		if !opMatches(s.Op, req) || (s.Match != nil && !s.Match(req.body)) {
			continue
		}
		ct := s.ContentType
		if ct == "" {
			ct = contentType(req)
		}
		status := s.Status
		if status == 0 {
			status = http.StatusOK
		}
		body := []byte(s.Body)
		if s.Func != nil {
			body = s.Func(req.body)
		}
		p.respond(w, fault, status, http.Header{"Content-Type": {ct}}, body)
		return
	}
	status, hdr, body, err := p.forward(ctx, r, req)
	if err != nil {
		if ctx.Err() == nil {
			http.Error(w, "faultproxy: upstream: "+err.Error(), http.StatusBadGateway)
		}
		return
	}
	if status == http.StatusOK && o.Rewrite != nil {
		if nb := o.Rewrite(req.op, body); nb != nil {
			body = nb
		}
	}
	p.respond(w, fault, status, hdr, body)
}

// respond writes a response, or half of it when the fault says truncate.
func (p *Proxy) respond(w http.ResponseWriter, fault *Fault, status int, hdr http.Header, body []byte) {
	if fault != nil && fault.Kind == KindTruncate {
		truncate(w, status, hdr, body)
		return
	}
	for k, vs := range hdr {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Transfer-Encoding", "Connection":
			continue
		}
		for _, v := range vs {
			w.Header().Add(k, v)
		}
	}
	w.Header().Set("Content-Length", strconv.Itoa(len(body)))
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

func (p *Proxy) forward(ctx context.Context, r *http.Request, req request) (int, http.Header, []byte, error) {
	u := *p.upstream
	u.Path = r.URL.Path
	u.RawPath = r.URL.RawPath
	u.RawQuery = r.URL.RawQuery
	out, err := http.NewRequestWithContext(ctx, r.Method, u.String(), bytes.NewReader(req.raw))
	if err != nil {
		return 0, nil, nil, err
	}
	out.Header = r.Header.Clone()
	out.Host = p.upstream.Host
	out.ContentLength = int64(len(req.raw))
	resp, err := p.client.Do(out)
	if err != nil {
		return 0, nil, nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return 0, nil, nil, err
	}
	return resp.StatusCode, resp.Header, body, nil
}

func sleep(ctx context.Context, d time.Duration) bool {
	if d <= 0 {
		return true
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return true
	case <-ctx.Done():
		return false
	}
}

// reset closes the client's connection with an RST (SO_LINGER 0) and no response.
func reset(w http.ResponseWriter) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, _, err := hj.Hijack()
	if err != nil {
		return
	}
	if tc, ok := conn.(*net.TCPConn); ok {
		_ = tc.SetLinger(0)
	}
	_ = conn.Close()
}

// truncate sends the status line and headers with the full Content-Length, then half the body, then closes.
func truncate(w http.ResponseWriter, status int, hdr http.Header, body []byte) {
	hj, ok := w.(http.Hijacker)
	if !ok {
		panic(http.ErrAbortHandler)
	}
	conn, buf, err := hj.Hijack()
	if err != nil {
		return
	}
	defer conn.Close()
	writeRaw(buf, status, hdr, body, len(body)/2)
}

func writeRaw(buf *bufio.ReadWriter, status int, hdr http.Header, body []byte, n int) {
	fmt.Fprintf(buf, "HTTP/1.1 %d %s\r\n", status, http.StatusText(status))
	for k, vs := range hdr {
		switch http.CanonicalHeaderKey(k) {
		case "Content-Length", "Transfer-Encoding", "Connection":
			continue
		}
		for _, v := range vs {
			fmt.Fprintf(buf, "%s: %s\r\n", k, v)
		}
	}
	fmt.Fprintf(buf, "Content-Length: %d\r\nConnection: close\r\n\r\n", len(body))
	_, _ = buf.Write(body[:n])
	_ = buf.Flush()
}

func opMatches(pattern string, req request) bool {
	switch {
	case pattern == "*":
		return true
	case strings.HasSuffix(pattern, ":*"):
		return strings.HasPrefix(req.op, strings.TrimSuffix(pattern, "*"))
	}
	return pattern == req.op || pattern == req.bare
}

// identify names the operation of an AWS SDK request.
func identify(r *http.Request, raw []byte) request {
	req := request{raw: raw, body: raw, ct: r.Header.Get("Content-Type"), proto: protoREST}
	if strings.EqualFold(r.Header.Get("Content-Encoding"), "gzip") {
		if zr, err := gzip.NewReader(bytes.NewReader(raw)); err == nil {
			if b, err := io.ReadAll(zr); err == nil {
				req.body = b
			}
		}
	}
	svc := service(r.Header.Get("Authorization"))
	switch {
	case r.Header.Get("X-Amz-Target") != "":
		req.proto = protoJSON
		t := r.Header.Get("X-Amz-Target")
		req.bare = t[strings.LastIndex(t, ".")+1:]
	case strings.HasPrefix(req.ct, "application/x-www-form-urlencoded"):
		req.proto = protoQuery
		if form, err := url.ParseQuery(string(req.body)); err == nil {
			req.bare = form.Get("Action")
		}
	case strings.HasPrefix(r.URL.Path, "/service/") && strings.Contains(r.URL.Path, "/operation/"):
		req.proto = protoCBOR
		req.bare = r.URL.Path[strings.LastIndex(r.URL.Path, "/")+1:]
	default:
		req.bare = restOp(svc, r.Method, r.URL.Path)
	}
	if req.bare == "" {
		req.bare = r.Method + " " + r.URL.Path
	}
	if svc == "" {
		svc = "unknown"
	}
	req.op = svc + ":" + req.bare
	return req
}

// service is the signing name in "Credential=AKID/20260101/us-east-1/rds/aws4_request".
func service(auth string) string {
	i := strings.Index(auth, "Credential=")
	if i < 0 {
		return ""
	}
	cred := auth[i+len("Credential="):]
	if j := strings.IndexAny(cred, ", "); j >= 0 {
		cred = cred[:j]
	}
	parts := strings.Split(cred, "/")
	if len(parts) < 5 {
		return ""
	}
	return parts[3]
}

// restOp names the REST operations kida calls (S3, SES v2).
func restOp(svc, method, path string) string {
	switch svc {
	case "s3":
		switch method {
		case http.MethodPut:
			if strings.Count(strings.Trim(path, "/"), "/") == 0 {
				return "CreateBucket"
			}
			return "PutObject"
		case http.MethodGet:
			return "GetObject"
		case http.MethodHead:
			return "HeadObject"
		}
	case "ses":
		if method == http.MethodPost && strings.HasSuffix(path, "/outbound-emails") {
			return "SendEmail"
		}
		if method == http.MethodPost && strings.HasSuffix(path, "/identities") {
			return "CreateEmailIdentity"
		}
	}
	return ""
}

func contentType(req request) string {
	switch req.proto {
	case protoJSON:
		if strings.HasPrefix(req.ct, "application/x-amz-json-") {
			return req.ct
		}
		return "application/x-amz-json-1.1"
	case protoQuery:
		return "text/xml"
	case protoCBOR:
		return "application/cbor"
	}
	return "application/json"
}

// writeError answers an AWS-format error in the request's protocol.
func writeError(w http.ResponseWriter, req request, f *Fault) {
	code := f.Code
	if code == "" {
		switch f.Status {
		case http.StatusTooManyRequests:
			code = "TooManyRequestsException"
		case http.StatusServiceUnavailable:
			code = "ServiceUnavailable"
		case http.StatusBadRequest:
			code = "ThrottlingException"
		default:
			code = "InternalFailure"
		}
	}
	msg := fmt.Sprintf("faultproxy: injected %d %s on %s", f.Status, code, req.op)
	for k, v := range f.Header {
		w.Header().Set(k, v)
	}
	w.Header().Set("X-Amzn-RequestId", "faultproxy")
	switch req.proto {
	case protoQuery:
		var esc bytes.Buffer
		_ = xml.EscapeText(&esc, []byte(msg))
		w.Header().Set("Content-Type", "text/xml")
		w.WriteHeader(f.Status)
		typ := "Sender"
		if f.Status >= 500 {
			typ = "Receiver"
		}
		fmt.Fprintf(w, "<ErrorResponse><Error><Type>%s</Type><Code>%s</Code><Message>%s</Message></Error><RequestId>faultproxy</RequestId></ErrorResponse>", typ, code, esc.String())
	case protoREST:
		if strings.HasPrefix(req.op, "s3:") {
			var esc bytes.Buffer
			_ = xml.EscapeText(&esc, []byte(msg))
			w.Header().Set("Content-Type", "application/xml")
			w.WriteHeader(f.Status)
			fmt.Fprintf(w, "<Error><Code>%s</Code><Message>%s</Message><RequestId>faultproxy</RequestId></Error>", code, esc.String())
			return
		}
		w.Header().Set("Content-Type", "application/json")
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(f.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"message": msg})
	default: // awsJson (rpcv2 CBOR clients read the X-Amzn-ErrorType-less body as an unknown error)
		w.Header().Set("Content-Type", contentType(req))
		w.Header().Set("X-Amzn-ErrorType", code)
		w.WriteHeader(f.Status)
		_ = json.NewEncoder(w).Encode(map[string]string{"__type": code, "message": msg})
	}
}
