package audit

import (
	"sync"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
)

// Tools returns the audit toolset.
func Tools(c awsclient.Clients, env tools.Env) []tools.Tool {
	return newFamily(c, env, func() *Pacer { return NewPacer(TrailTPS, nil, nil) }).tools()
}

// family holds what the audit tools share: the clients, the env and one CloudTrail pacer per region, so
// concurrent get_cloudtrail_events calls together stay within the account's 2 lookups per second.
type family struct {
	c        awsclient.Clients
	env      tools.Env
	newPacer func() *Pacer

	mu     sync.Mutex
	pacers map[string]*Pacer
}

func newFamily(c awsclient.Clients, env tools.Env, newPacer func() *Pacer) *family {
	return &family{c: c, env: env, newPacer: newPacer, pacers: map[string]*Pacer{}}
}

func (f *family) tools() []tools.Tool {
	return []tools.Tool{f.trailTool(), f.healthTool(), f.recommendationsTool()}
}

func (f *family) pacer(region string) *Pacer {
	f.mu.Lock()
	defer f.mu.Unlock()
	p := f.pacers[region]
	if p == nil {
		p = f.newPacer()
		f.pacers[region] = p
	}
	return p
}
