package awstest_test

import (
	"bufio"
	"bytes"
	"context"
	"net"
	"net/url"
	"os"
	"os/exec"
	"runtime"
	"strings"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/tools/testkit/awstest"
)

// TestSubprocessHelper is not a real test: the tests below re-run the test binary with
// AWSTEST_HELPER set to exercise StartMoto under a controlled environment.
func TestSubprocessHelper(t *testing.T) {
	switch os.Getenv("AWSTEST_HELPER") {
	case "":
		t.Skip("only runs as a subprocess of other tests")
	case "start":
		awstest.StartMoto(t)
	case "orphan":
		m := awstest.StartMoto(t)
		os.Stdout.WriteString("MOTO_URL=" + m.URL() + "\n")
		os.Exit(0) // bypass awstest.Main: the kernel must still kill moto_server
	}
}

func runHelper(t *testing.T, mode string, env ...string) (string, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(t.Context(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, os.Args[0], "-test.run=^TestSubprocessHelper$", "-test.v", "-test.count=1")
	for _, kv := range os.Environ() {
		name, _, _ := strings.Cut(kv, "=")
		if name == "CI" || strings.HasPrefix(name, "KIDA_") || name == "AWSTEST_HELPER" {
			continue
		}
		if name == "PATH" && slicesContainsPrefix(env, "PATH=") {
			continue
		}
		cmd.Env = append(cmd.Env, kv)
	}
	cmd.Env = append(cmd.Env, "AWSTEST_HELPER="+mode)
	cmd.Env = append(cmd.Env, env...)
	out, err := cmd.CombinedOutput()
	return string(out), err
}

func slicesContainsPrefix(list []string, prefix string) bool {
	for _, s := range list {
		if strings.HasPrefix(s, prefix) {
			return true
		}
	}
	return false
}

func TestStartMotoSkipOrFail(t *testing.T) {
	cases := []struct {
		name     string
		env      []string
		wantFail bool
		want     string
	}{
		{"skip env", []string{"KIDA_SKIP_MOTO=1"}, false, "KIDA_SKIP_MOTO=1"},
		{"not on PATH", []string{"PATH=" + t.TempDir()}, false, "moto_server not found on PATH"},
		{"CI requires", []string{"KIDA_SKIP_MOTO=1", "CI=true"}, true, "moto is required here"},
		{"KIDA_REQUIRE_MOTO requires", []string{"PATH=" + t.TempDir(), "KIDA_REQUIRE_MOTO=1"}, true, "moto_server not found on PATH, and moto is required here"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, err := runHelper(t, "start", tc.env...)
			if tc.wantFail {
				if err == nil || !strings.Contains(out, "--- FAIL: TestSubprocessHelper") {
					t.Errorf("want failure, got err=%v\n%s", err, out)
				}
			} else if err != nil || !strings.Contains(out, "--- SKIP: TestSubprocessHelper") {
				t.Errorf("want skip, got err=%v\n%s", err, out)
			}
			if !strings.Contains(out, tc.want) {
				t.Errorf("output lacks %q:\n%s", tc.want, out)
			}
		})
	}
}

// TestMotoDiesWithTestBinary: a test binary that exits without awstest.Main (os.Exit, panic, timeout)
// must not leave moto_server behind.
func TestMotoDiesWithTestBinary(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("parent-death signal is Linux-only; elsewhere awstest.Main is required")
	}
	awstest.StartMoto(t) // skip/fail exactly like the other moto tests if moto is unavailable
	out, err := runHelper(t, "orphan")
	if err != nil {
		t.Fatalf("helper: %v\n%s", err, out)
	}
	var motoURL string
	sc := bufio.NewScanner(bytes.NewReader([]byte(out)))
	for sc.Scan() {
		if u, ok := strings.CutPrefix(sc.Text(), "MOTO_URL="); ok {
			motoURL = u
		}
	}
	u, err := url.Parse(motoURL)
	if motoURL == "" || err != nil {
		t.Fatalf("no MOTO_URL in helper output:\n%s", out)
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		c, err := net.DialTimeout("tcp", u.Host, time.Second)
		if err != nil {
			return // nothing listens any more: moto died with its test binary
		}
		c.Close()
		if time.Now().After(deadline) {
			t.Fatalf("moto_server at %s still running after its test binary exited", motoURL)
		}
		time.Sleep(50 * time.Millisecond)
	}
}
