package errorlog

import (
	"strings"
	"testing"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
	"github.com/kida-mcp/kida-mcp/tools/testkit"
)

var demoNow = time.Date(2026, 11, 22, 12, 0, 0, 0, time.UTC)

func demoSession(t *testing.T) *testkit.Session {
	f := demo.New(demoNow)
	return testkit.Client(t, Tools(f, tools.Env{Now: func() time.Time { return demoNow }}))
}

func TestDemoOrdersProd(t *testing.T) {
	s := demoSession(t)
	res := s.Call("get_error_log_summary", map[string]any{"cluster_id": "orders-prod"})
	var out SummaryOutput
	testkit.Decode(t, res, &out)
	t.Log(testkit.Text(res))
	classes := map[string]Notable{}
	for _, n := range out.Summary.Notable {
		classes[n.Class] = n
	}
	for _, c := range []string{ClassFailover, ClassRestart, ClassTooManyConnections, ClassDeadlock, ClassAuthFailure, ClassAbortedConnection} {
		if classes[c].Count == 0 {
			t.Errorf("notable class %s missing: %+v", c, out.Summary.Notable)
		}
	}
	if !strings.Contains(testkit.Text(res), "<script>") {
		t.Log("note: no script text in the text mirror")
	}
}
