package delivery

import (
	"context"
	"fmt"
	"sync"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// Sender publishes checks and remembers the links it made in this process, so a check published with
// publish_report is not uploaded again when send_report_email or notify_slack mention it.
type Sender struct {
	Deps
	mu    sync.Mutex
	links map[string]Link // check id → link
}

// NewSender returns a Sender over d.
func NewSender(d Deps) *Sender { return &Sender{Deps: d, links: map[string]Link{}} }

// relink is how long before expiry a remembered link is presigned again.
const relink = time.Hour

// CheckDate is the report date of a check: its window end in the check's time zone.
func CheckDate(c report.Check) (time.Time, *time.Location) {
	loc, err := time.LoadLocation(c.Window.Timezone)
	if err != nil || c.Window.Timezone == "" {
		loc = time.UTC
	}
	end := c.Window.End
	if end.IsZero() {
		end = c.GeneratedAt
	}
	t := end.In(loc)
	return time.Date(t.Year(), t.Month(), t.Day(), 0, 0, 0, 0, loc), loc
}

// Render writes the check's HTML report into the report directory.
func (s *Sender) render(c report.Check) (string, int64, error) {
	if s.Render == nil {
		return "", 0, fmt.Errorf("no report renderer")
	}
	return s.Render(s.ReportDir, c, "html")
}

// PublishCheck renders c, uploads it under date and presigns it. The row carries the link, or the failure
// with its stage; it never returns an error, so one cluster cannot stop the others.
func (s *Sender) PublishCheck(ctx context.Context, c report.Check, date time.Time) Row {
	row := RowFor(c)
	if s.Config.S3 == nil {
		row.LinkNote = "not published: no S3 bucket is configured"
		return row
	}
	if c.ID != "" {
		s.mu.Lock()
		l, ok := s.links[c.ID]
		s.mu.Unlock()
		if ok && l.ExpiresAt.After(s.Env.Clock().Add(relink)) {
			row.Link = &l
			return row
		}
		if ok { // uploaded already: only presign again
			if nl, err := s.Presign(ctx, l.Bucket, l.Key); err == nil {
				s.remember(c.ID, nl)
				row.Link = &nl
				return row
			}
		}
	}
	path, _, err := s.render(c)
	if err != nil {
		s.Env.Log().Error("render failed", "cluster", c.Cluster, "err", err)
		return FailedRow(c.Cluster, c.Region, "render", "the report could not be rendered: "+err.Error())
	}
	row.ReportPath = path
	return s.publishFile(ctx, row, path, date)
}

func (s *Sender) publishFile(ctx context.Context, row Row, path string, date time.Time) Row {
	bucket, key, err := s.Upload(ctx, row.Cluster, path, date)
	if err != nil {
		msg := s.awsError(err)
		s.Env.Log().Error("upload failed", "cluster", row.Cluster, "err", msg)
		f := FailedRow(row.Cluster, row.Region, "upload", msg)
		f.ReportPath = path
		return f
	}
	l, err := s.Presign(ctx, bucket, key)
	if err != nil {
		msg := s.awsError(err)
		s.Env.Log().Error("presign failed", "cluster", row.Cluster, "err", msg)
		f := FailedRow(row.Cluster, row.Region, "presign", msg)
		f.ReportPath = path
		return f
	}
	s.Env.Log().Info("report published", "cluster", row.Cluster, "bucket", bucket, "key", key,
		"expires_at", l.ExpiresAt.Format(time.RFC3339), "limited_by", l.LimitedBy)
	if row.CheckID != "" {
		s.remember(row.CheckID, l)
	}
	row.Link = &l
	return row
}

func (s *Sender) remember(id string, l Link) {
	s.mu.Lock()
	s.links[id] = l
	s.mu.Unlock()
}

// DryRunRow fills what a real run would do for a rendered check, without uploading: the key and the link
// lifetime the signing credentials allow.
func (s *Sender) DryRunRow(ctx context.Context, row Row, date time.Time) Row {
	if s.Config.S3 == nil {
		row.LinkNote = "not published: no S3 bucket is configured"
		return row
	}
	key := Key(s.Config.S3.Prefix, row.Cluster, date, "html")
	exp, err := EffectiveExpiry(ctx, s.Clients, s.Config.S3.Expiry, s.Env.Clock())
	if err != nil {
		f := FailedRow(row.Cluster, row.Region, "presign", s.awsError(awsclient.In(s.region(s.Config.S3.Region), "s3://"+s.Config.S3.Bucket+"/"+key, err)))
		f.ReportPath = row.ReportPath
		return f
	}
	row.LinkNote = fmt.Sprintf("dry run: would upload to s3://%s/%s; the link would be %s", s.Config.S3.Bucket, key, exp.Note(s.Config.S3.Expiry, s.loc()))
	return row
}

// rowsFor publishes (or reuses) every check for a send tool. Unknown ids fail before anything is sent.
func (s *Sender) rowsFor(ctx context.Context, get func(string) (report.Check, error), ids []string) ([]Row, string, *time.Location, error) {
	var checks []report.Check
	seen := map[string]bool{}
	for _, id := range ids {
		if seen[id] {
			continue
		}
		seen[id] = true
		c, err := get(id)
		if err != nil {
			return nil, "", nil, err
		}
		checks = append(checks, c)
	}
	if len(checks) == 0 {
		return nil, "", nil, tools.Errorf("check_ids is empty; run run_health_check and pass its check_id")
	}
	date, loc := CheckDate(checks[0])
	rows := make([]Row, len(checks))
	for i, c := range checks {
		d, _ := CheckDate(c)
		rows[i] = s.PublishCheck(ctx, c, d)
	}
	SortRows(rows)
	return rows, date.Format("2006-01-02"), loc, nil
}
