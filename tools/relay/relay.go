package relay

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/delivery"
)

// Relay handles input events: parse, archive, route, de-duplicate, format and send.
type Relay struct {
	cfg     Config
	send    delivery.Deps // HTTP (Slack), Clients (SES), Env (logger, clock), retry settings
	archive *Archive
	dedupe  *Deduper
	dryRun  bool
}

// Options are the relay's collaborators.
type Options struct {
	// Delivery sends Slack (HTTP) and email (Clients.SES); its Config is replaced per destination.
	Delivery delivery.Deps
	// Archive, nil when no archive is configured.
	Archive *Archive
	// DryRun builds every message and sends nothing (the archive is not written either).
	DryRun bool
}

// New returns a relay for cfg (already validated).
func New(cfg Config, o Options) *Relay {
	return &Relay{cfg: cfg, send: o.Delivery, archive: o.Archive, dedupe: NewDeduper(cfg.DedupeWindow), dryRun: o.DryRun}
}

// Outcome is what happened to one input event.
type Outcome struct {
	Handled []Handled `json:"handled"`
}

// Handled is one notification's fate.
type Handled struct {
	ID      string `json:"id"`
	Kind    string `json:"kind"`
	Via     string `json:"via,omitempty"`
	Summary string `json:"summary"`
	// Unknown says why an event was not understood (it is acknowledged, not retried).
	Unknown string `json:"unknown,omitempty"`
	// Rule is the route that decided ("default" when none matched); Dropped when it has no destination.
	Rule    string `json:"rule,omitempty"`
	Dropped bool   `json:"dropped,omitempty"`
	// Archived is the archive key; ArchiveNew is false when the archive already held the event.
	Archived     string `json:"archived,omitempty"`
	ArchiveNew   bool   `json:"archive_new,omitempty"`
	ArchiveError string `json:"archive_error,omitempty"`
	// Deliveries are the sends made; Duplicates the destinations skipped as already delivered.
	Deliveries []delivery.Delivery `json:"deliveries,omitempty"`
	Duplicates []string            `json:"duplicates,omitempty"`
	// Payloads are the messages built in a dry run (destination/channel → body).
	Payloads map[string]json.RawMessage `json:"payloads,omitempty"`
}

// Failed counts failed sends and archive writes (the Lambda invocation fails so it is retried; what was
// already delivered is not sent again within the de-duplication window).
func (o Outcome) Failed() int {
	n := 0
	for _, h := range o.Handled {
		if h.ArchiveError != "" {
			n++
		}
		for _, d := range h.Deliveries {
			if !d.OK && !d.DryRun {
				n++
			}
		}
	}
	return n
}

// Errors lists the failures, one line each.
func (o Outcome) Errors() []string {
	var out []string
	for _, h := range o.Handled {
		if h.ArchiveError != "" {
			out = append(out, h.ID+": archive: "+h.ArchiveError)
		}
		for _, d := range h.Deliveries {
			if !d.OK && !d.DryRun {
				out = append(out, h.ID+": "+d.String())
			}
		}
	}
	return out
}

// Handle relays one input event. It returns an error only when the input is not JSON at all; an event of an
// unknown shape is logged and acknowledged (Handled.Unknown), so Lambda does not retry it forever.
func (r *Relay) Handle(ctx context.Context, raw []byte) (Outcome, error) {
	log := r.send.Env.Log()
	ns, err := Parse(raw)
	if err != nil {
		log.Warn("relay: input is not JSON; acknowledged and skipped", "err", err.Error(), "bytes", len(raw))
		return Outcome{Handled: []Handled{{Kind: KindUnknown, Unknown: err.Error(), Summary: "not JSON"}}}, nil
	}
	var out Outcome
	for _, n := range ns {
		out.Handled = append(out.Handled, r.handle(ctx, n))
	}
	return out, nil
}

func (r *Relay) handle(ctx context.Context, n Notification) Handled {
	log := r.send.Env.Log()
	h := Handled{ID: n.ID(), Kind: n.Kind, Via: n.Via, Summary: Summary(n)}
	if n.Kind == KindUnknown {
		h.Unknown = n.Why
		log.Warn("relay: event of an unknown shape; acknowledged and skipped", "why", n.Why, "message_id", n.MessageID)
		return h
	}
	if r.archive.Wants(n) {
		if r.dryRun {
			h.Archived = r.archive.Key(n)
		} else {
			key, written, err := r.archive.Put(ctx, n)
			h.Archived, h.ArchiveNew = key, written
			if err != nil {
				h.ArchiveError = r.scrub(err.Error())
				log.Error("relay: archive write failed", "id", h.ID, "key", key, "err", h.ArchiveError)
			}
		}
	}
	names, rule := r.cfg.Targets(n)
	h.Rule = rule
	if r.dryRun && len(names) > 0 {
		h.Payloads = r.Payloads(n)
	}
	if len(names) == 0 {
		h.Dropped = true
		log.Info("relay: dropped by routing", "id", h.ID, "rule", rule, "summary", h.Summary)
		return h
	}
	for _, name := range names {
		dest := r.cfg.Destinations[name]
		if dest.Slack.Set() {
			r.deliver(ctx, &h, n, name, delivery.ChannelSlackIncoming, func(dd delivery.Deps) delivery.Delivery {
				return r.sendSlack(ctx, dd, n, name)
			}, dest)
		}
		if dest.Email != nil {
			r.deliver(ctx, &h, n, name, delivery.ChannelEmail, func(dd delivery.Deps) delivery.Delivery {
				return r.sendEmail(ctx, dd, n, name)
			}, dest)
		}
	}
	for _, d := range h.Deliveries {
		log.Info("relay: delivery", "id", h.ID, "rule", rule, "result", r.scrub(d.String()))
	}
	return h
}

// deliver sends through one channel of one destination unless that was done within the window.
func (r *Relay) deliver(ctx context.Context, h *Handled, n Notification, name, channel string, send func(delivery.Deps) delivery.Delivery, dest Destination) {
	key := h.ID + "→" + name + "/" + channel
	now := r.send.Env.Clock()
	if !r.dryRun && !r.dedupe.Claim(key, now) {
		h.Duplicates = append(h.Duplicates, name+"/"+channel)
		r.send.Env.Log().Info("relay: duplicate within the de-duplication window; not sent again", "id", h.ID, "destination", name, "channel", channel)
		return
	}
	dd := r.send
	dd.Config = delivery.Config{Email: dest.Email}
	if dest.Slack.Set() {
		dd.Config.Slack = &delivery.SlackConfig{Incoming: dest.Slack}
	}
	d := send(dd)
	if !r.dryRun {
		r.dedupe.Release(key, r.send.Env.Clock(), d.OK)
	}
	h.Deliveries = append(h.Deliveries, d)
}

func (r *Relay) sendSlack(ctx context.Context, dd delivery.Deps, n Notification, name string) delivery.Delivery {
	del := delivery.Delivery{Channel: delivery.ChannelSlackIncoming, Target: name}
	m := r.cfg.Format.Slack(n)
	if err := m.Validate(); err != nil {
		del.Error = "message breaks Slack's limits: " + err.Error()
		return del
	}
	body, err := delivery.MarshalJSON(m)
	if err != nil {
		del.Error = err.Error()
		return del
	}
	if r.dryRun {
		del.DryRun = true
		return del
	}
	del.Attempts, err = dd.PostWebhook(ctx, dd.Config.Slack.Incoming, body)
	if err != nil {
		del.Error = err.Error()
		return del
	}
	del.OK = true
	return del
}

func (r *Relay) sendEmail(ctx context.Context, dd delivery.Deps, n Notification, name string) delivery.Delivery {
	e := r.cfg.Format.Email(n)
	if r.dryRun {
		return delivery.Delivery{Channel: delivery.ChannelEmail, Target: name, DryRun: true}
	}
	d := dd.SendEmail(ctx, e)
	d.Target = name + " (" + d.Target + ")"
	return d
}

// Payloads builds the messages n would produce for each of its destinations (dry runs, demo, tests):
// "<destination>/slack" → the Slack body, "<destination>/email" → {subject, text}.
func (r *Relay) Payloads(n Notification) map[string]json.RawMessage {
	out := map[string]json.RawMessage{}
	names, _ := r.cfg.Targets(n)
	for _, name := range names {
		dest := r.cfg.Destinations[name]
		if dest.Slack.Set() {
			if b, err := delivery.MarshalJSON(r.cfg.Format.Slack(n)); err == nil {
				out[name+"/slack"] = b
			}
		}
		if dest.Email != nil {
			e := r.cfg.Format.Email(n)
			if b, err := delivery.MarshalJSON(map[string]string{"subject": e.Subject, "text": e.Text}); err == nil {
				out[name+"/email"] = b
			}
		}
	}
	return out
}

func (r *Relay) scrub(s string) string {
	var secrets []delivery.Secret
	for _, d := range r.cfg.Destinations {
		secrets = append(secrets, d.Slack)
	}
	return delivery.Scrub(s, secrets...)
}

// Summary is one line about n for logs and the CLI.
func Summary(n Notification) string {
	switch {
	case n.Alarm != nil:
		a := n.Alarm
		from := a.OldState
		if from == "" {
			from = "?"
		}
		return fmt.Sprintf("alarm %q %s → %s at %s", tools.Truncate(oneLine(a.Name), 120), from, a.State, a.Time.UTC().Format("2006-01-02T15:04:05Z"))
	case n.RDS != nil:
		e := n.RDS
		return fmt.Sprintf("rds %s %s %s: %s at %s", e.Group, e.SourceType, tools.Truncate(oneLine(e.SourceID), 120), tools.Truncate(oneLine(e.Message), 160), e.Time.UTC().Format("2006-01-02T15:04:05Z"))
	}
	return "unknown: " + tools.Truncate(n.Why, 200)
}

// Err joins the failures into one error for Lambda, so the invocation is retried (nil when none failed).
func (o Outcome) Err() error {
	if o.Failed() == 0 {
		return nil
	}
	return fmt.Errorf("relay: %d send(s) or archive write(s) failed: %s", o.Failed(), strings.Join(o.Errors(), "; "))
}
