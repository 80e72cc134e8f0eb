package delivery

import (
	"context"
	"net/http"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// Doer sends HTTP requests (the Slack webhooks). *http.Client satisfies it; the demo's client writes to
// the outbox instead of the network.
type Doer interface {
	Do(*http.Request) (*http.Response, error)
}

// Renderer writes a check as a report file and returns its path and size: report.Write.
type Renderer func(dir string, c report.Check, format string) (path string, size int64, err error)

// Deps are what delivery needs. Clients signs and sends the AWS calls (S3, SES, SNS) with the server's own
// credentials — not a cluster's assumed role.
type Deps struct {
	Clients   awsclient.Clients
	Config    Config
	HTTP      Doer
	Env       tools.Env
	Render    Renderer
	ReportDir string
	// Location shows times (link expiry) in messages; nil → UTC.
	Location *time.Location
	// Lang is the language of the messages people read (email, Slack): en (default) or ko.
	Lang string
	// Sleep waits between webhook retries; nil → a timer that honours ctx. Tests record the waits instead.
	Sleep func(ctx context.Context, d time.Duration) error
	// WebhookAttempts caps webhook attempts including the first (default 4).
	WebhookAttempts int
}

func (d Deps) sleep(ctx context.Context, dur time.Duration) error {
	if d.Sleep != nil {
		return d.Sleep(ctx, dur)
	}
	t := time.NewTimer(dur)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (d Deps) loc() *time.Location {
	if d.Location == nil {
		return time.UTC
	}
	return d.Location
}

func (d Deps) secrets() []Secret {
	if d.Config.Slack == nil {
		return nil
	}
	return []Secret{d.Config.Slack.Workflow, d.Config.Slack.Incoming}
}

// region returns want, else the clients' default region.
func (d Deps) region(want string) string {
	if want != "" {
		return want
	}
	return d.Clients.DefaultRegion()
}
