package awstest

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"runtime"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
)

// Environment variables read by StartMoto.
const (
	// EnvSkipMoto, when "1"/"true", makes StartMoto behave as if moto_server were not installed.
	EnvSkipMoto = "KIDA_SKIP_MOTO"
	// EnvRequireMoto, when "1"/"true", turns "moto_server unavailable" from a skip into a failure.
	EnvRequireMoto = "KIDA_REQUIRE_MOTO"
	// EnvCI set to "true" (as GitHub Actions and most CI systems do) has the same effect as EnvRequireMoto.
	EnvCI = "CI"
)

// motoStartTimeout bounds how long StartMoto waits for moto_server to answer.
const motoStartTimeout = 30 * time.Second

// Moto is a moto_server process shared by every test of one test binary. Get it with StartMoto.
type Moto struct {
	url  string
	cmd  *exec.Cmd
	done chan struct{} // closed once the process has exited and been reaped
	logs *lineTail
}

// shared holds the one moto_server of this test binary.
var shared struct {
	mu   sync.Mutex
	moto *Moto
	err  error // sticky start failure, so later tests fail fast instead of waiting 30 s each
}

// StartMoto returns the moto_server shared by the whole test binary, starting it on first use on
// 127.0.0.1 and a kernel-chosen free port, and resets its state so the calling test starts clean.
//
// If moto_server is not on PATH, or KIDA_SKIP_MOTO=1, the test is skipped — unless CI=true or
// KIDA_REQUIRE_MOTO=1, in which case it fails (CI must not silently skip wire tests). A moto_server that
// is installed but does not come up within 30 s always fails the test.
//
// Because state is reset on every call, tests that use moto must not call t.Parallel. The process is
// stopped by Main (use it from TestMain) and, on Linux, is also killed by the kernel when the test binary
// exits for any reason.
func StartMoto(t testing.TB) *Moto {
	t.Helper()
	if reason := motoUnavailable(); reason != "" {
		if motoRequired() {
			t.Fatalf("awstest: %s, and moto is required here (%s=true or %s=1); install it with: pip install 'moto[server]'",
				reason, EnvCI, EnvRequireMoto)
		}
		t.Skipf("awstest: skipping wire test: %s (install with: pip install 'moto[server]'; set %s=1 to make this a failure)",
			reason, EnvRequireMoto)
	}

	m := sharedMoto(t)
	mark := m.logs.mark()
	t.Cleanup(func() {
		if t.Failed() {
			// werkzeug prints the Python traceback of a 500 *after* the request line, i.e. after the
			// client already has the response: give it a moment to arrive.
			m.logs.settle(150*time.Millisecond, time.Second)
			if tail := m.logs.since(mark, 80); tail != "" {
				t.Logf("awstest: moto_server output during this test (last lines):\n%s", tail)
			}
		}
	})
	m.Reset(t)
	return m
}

func sharedMoto(t testing.TB) *Moto {
	t.Helper()
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.err != nil {
		t.Fatalf("awstest: moto_server failed to start earlier in this test binary: %v", shared.err)
	}
	if shared.moto != nil {
		select {
		case <-shared.moto.done:
			t.Logf("awstest: moto_server exited unexpectedly; starting a new one. Last output:\n%s", shared.moto.logs.since(0, 30))
			shared.moto = nil
		default:
			return shared.moto
		}
	}
	m, err := startMoto()
	if err != nil {
		shared.err = err
		t.Fatalf("awstest: %v", err)
	}
	shared.moto = m
	return m
}

// Main runs the tests and then stops the shared moto_server (killing its whole process group) before
// exiting. Every package whose tests call StartMoto should have:
//
//	func TestMain(m *testing.M) { awstest.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	StopMoto()
	os.Exit(code)
}

// StopMoto kills the shared moto_server, if one was started, and waits for it to exit. Use it from a
// custom TestMain that cannot call Main. A later StartMoto starts a fresh server.
func StopMoto() {
	shared.mu.Lock()
	defer shared.mu.Unlock()
	if shared.moto != nil {
		shared.moto.stop()
		shared.moto = nil
	}
	shared.err = nil
}

// URL returns the server's base URL, http://127.0.0.1:PORT.
func (m *Moto) URL() string { return m.url }

// Reset wipes all moto state (POST /moto-api/reset). StartMoto already calls it for the calling test.
func (m *Moto) Reset(t testing.TB) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, m.url+"/moto-api/reset", nil)
	if err != nil {
		t.Fatalf("awstest: moto reset: %v", err)
	}
	resp, err := localHTTP.Do(req)
	if err != nil {
		t.Fatalf("awstest: moto reset: %v", err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("awstest: moto reset: HTTP %d: %s", resp.StatusCode, body)
	}
}

// Config returns an aws.Config aimed at this moto_server: static credentials "test"/"test", the given
// region, BaseEndpoint = URL(), RetryMaxAttempts 1 (moto answers unimplemented operations with HTTP 500,
// which the SDK would otherwise retry), and no proxy. Nothing is read from the developer's AWS
// environment variables, shared config/credentials files or IMDS.
//
// Service quirks the config cannot fix: CloudWatch clients need CloudWatchJSON() (moto cannot speak
// CBOR); S3 clients need o.UsePathStyle = true.
func (m *Moto) Config(t testing.TB, region string) aws.Config {
	t.Helper()
	return newConfig(region, m.url)
}

func (m *Moto) stop() {
	killGroup(m.cmd)
	select {
	case <-m.done:
	case <-time.After(10 * time.Second):
	}
}

// localHTTP talks to loopback servers only; it never uses a proxy.
var localHTTP = &http.Client{
	Transport: &http.Transport{Proxy: nil, DisableKeepAlives: true},
	Timeout:   10 * time.Second,
}

var runningOn = regexp.MustCompile(`Running on (http://127\.0\.0\.1:\d+)`)

// startMoto runs "moto_server -H 127.0.0.1 -p 0" (the kernel picks a free port, so there is no
// pick-then-bind race), learns the port from werkzeug's "Running on http://127.0.0.1:PORT" line, then
// polls GET /moto-api/ until it answers 200.
func startMoto() (*Moto, error) {
	path, err := exec.LookPath("moto_server")
	if err != nil {
		return nil, err
	}
	pr, pw, err := os.Pipe()
	if err != nil {
		return nil, err
	}
	cmd := exec.Command(path, "-H", "127.0.0.1", "-p", "0")
	cmd.Stdout, cmd.Stderr = pw, pw
	// Unbuffered, so a Python traceback for a 500 is in the log tail when the test fails.
	cmd.Env = append(os.Environ(), "PYTHONUNBUFFERED=1")
	prepareCmd(cmd)

	m := &Moto{cmd: cmd, done: make(chan struct{}), logs: newLineTail(400)}
	urlCh := make(chan string, 1)
	started := make(chan error, 1)
	go func() {
		// The kernel's parent-death signal (Linux) fires when the *thread* that forked the child
		// exits. Lock this goroutine to its thread and keep it alive until moto exits, so the signal
		// fires exactly when the whole test binary goes away. Never unlocked on purpose.
		runtime.LockOSThread()
		if err := cmd.Start(); err != nil {
			started <- err
			close(m.done)
			return
		}
		started <- nil
		_ = cmd.Wait()
		close(m.done)
	}()
	err = <-started
	pw.Close() // the child holds its own copy
	if err != nil {
		pr.Close()
		return nil, fmt.Errorf("start %s: %w", path, err)
	}
	logsDone := make(chan struct{})
	go func() {
		defer close(logsDone)
		defer pr.Close()
		sc := bufio.NewScanner(pr)
		sc.Buffer(make([]byte, 64*1024), 1024*1024)
		sent := false
		for sc.Scan() {
			line := sc.Text()
			m.logs.add(line)
			if !sent {
				if mm := runningOn.FindStringSubmatch(line); mm != nil {
					urlCh <- mm[1]
					sent = true
				}
			}
		}
		// Keep draining until EOF so a chatty moto never blocks on a full pipe.
	}()

	fail := func(format string, args ...any) (*Moto, error) {
		m.stop()
		select { // let the reader collect the last output (e.g. a Python traceback)
		case <-logsDone:
		case <-time.After(time.Second):
		}
		return nil, fmt.Errorf("moto_server: "+format+"; output:\n%s", append(args, m.logs.since(0, 40))...)
	}
	deadline := time.NewTimer(motoStartTimeout)
	defer deadline.Stop()
	select {
	case m.url = <-urlCh:
	case <-m.done:
		return fail("exited before listening (exit status %v)", cmd.ProcessState)
	case <-deadline.C:
		return fail("no \"Running on http://127.0.0.1:PORT\" line within %s", motoStartTimeout)
	}
	for {
		if ok, _ := probeMoto(m.url); ok {
			return m, nil
		}
		select {
		case <-m.done:
			return fail("exited during startup (exit status %v)", cmd.ProcessState)
		case <-deadline.C:
			return fail("%s/moto-api/ did not answer 200 within %s", m.url, motoStartTimeout)
		case <-time.After(50 * time.Millisecond):
		}
	}
}

func probeMoto(url string) (bool, error) {
	ctx, cancel := context.WithTimeout(context.Background(), time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, url+"/moto-api/", nil)
	if err != nil {
		return false, err
	}
	resp, err := localHTTP.Do(req)
	if err != nil {
		return false, err
	}
	defer resp.Body.Close()
	_, _ = io.Copy(io.Discard, resp.Body)
	if resp.StatusCode != http.StatusOK {
		return false, errors.New(resp.Status)
	}
	return true, nil
}

func motoUnavailable() string {
	if envTrue(EnvSkipMoto) {
		return EnvSkipMoto + "=1"
	}
	if _, err := exec.LookPath("moto_server"); err != nil {
		return "moto_server not found on PATH"
	}
	return ""
}

func motoRequired() bool { return envTrue(EnvCI) || envTrue(EnvRequireMoto) }

func envTrue(name string) bool {
	b, err := strconv.ParseBool(strings.TrimSpace(os.Getenv(name)))
	return err == nil && b
}

// lineTail keeps the last n lines of moto's output (werkzeug logs one line per request, Python
// tracebacks for 500s) for failure messages.
type lineTail struct {
	mu    sync.Mutex
	lines []string
	total int // lines ever added
	max   int
}

func newLineTail(max int) *lineTail { return &lineTail{max: max} }

func (l *lineTail) add(s string) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.lines = append(l.lines, s)
	if len(l.lines) > l.max {
		l.lines = append(l.lines[:0:0], l.lines[len(l.lines)-l.max:]...)
	}
	l.total++
}

func (l *lineTail) mark() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.total
}

// settle waits until no line has arrived for quiet, or at most max.
func (l *lineTail) settle(quiet, max time.Duration) {
	deadline := time.Now().Add(max)
	last := l.mark()
	for time.Now().Before(deadline) {
		time.Sleep(quiet)
		n := l.mark()
		if n == last {
			return
		}
		last = n
	}
}

// since returns at most limit lines among those added after mark.
func (l *lineTail) since(mark, limit int) string {
	l.mu.Lock()
	defer l.mu.Unlock()
	n := l.total - mark
	if n > len(l.lines) {
		n = len(l.lines)
	}
	if n > limit {
		n = limit
	}
	if n <= 0 {
		return ""
	}
	return strings.Join(l.lines[len(l.lines)-n:], "\n")
}
