package delivery

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/tools"
)

// PublishInput is the input of publish_report. It names a report, never a destination: the bucket, prefix,
// encryption and link lifetime come from the server's configuration.
type PublishInput struct {
	CheckID    string `json:"check_id,omitempty" jsonschema:"maxLength=128" jsonschema_description:"A check id from run_health_check; its HTML report is rendered and uploaded."`
	ReportPath string `json:"report_path,omitempty" jsonschema:"maxLength=1024" jsonschema_description:"Or: a report file written by render_report (inside the server's report directory)."`
}

// Validate requires exactly one of check_id and report_path.
func (in PublishInput) Validate() error {
	if (in.CheckID == "") == (in.ReportPath == "") {
		return tools.Errorf("send exactly one of check_id (from run_health_check) or report_path (from render_report)")
	}
	return nil
}

// PublishOutput is the answer of publish_report.
type PublishOutput struct {
	Cluster     string `json:"cluster"`
	Region      string `json:"region,omitempty"`
	CheckID     string `json:"check_id,omitempty"`
	ReportPath  string `json:"report_path"`
	ContentType string `json:"content_type"`
	Link        Link   `json:"link"`
}

// Text renders the compact mirror.
func (o PublishOutput) Text() string {
	var b strings.Builder
	fmt.Fprintf(&b, "Published the report of %s to s3://%s/%s (%s).\n", o.Cluster, o.Link.Bucket, o.Link.Key, o.ContentType)
	fmt.Fprintf(&b, "URL: %s\n", o.Link.URL)
	fmt.Fprintf(&b, "The link is %s. Quote this lifetime wherever you share the link.\n", o.Link.Note)
	if o.CheckID != "" {
		fmt.Fprintf(&b, "NEXT: send_report_email / notify_slack / publish_sns with check_ids [%q] reuse this upload.\n", o.CheckID)
	}
	return b.String()
}

// reportFileRE is how render_report names files: <cluster>-YYYYMMDD-HHMM.<ext>.
var reportFileRE = regexp.MustCompile(`^(.+)-([0-9]{8})-([0-9]{4})\.(html|md|json)$`)

func publishReportTool(s *Sender, checks Checks) tools.Tool {
	return tools.New(tools.Spec{
		Name: "publish_report", Toolset: "delivery", Title: "Publish a report to the configured S3 bucket",
		Description: "Uploads a health check's HTML report (by check_id, or a file from render_report) to the S3 bucket in the server's configuration " +
			"as text/html under reports/YYYYMMDD/<cluster>.html and returns a presigned URL whose lifetime is min(configured, 7 days, the signing " +
			"credentials' expiry) — expires_at says when it dies; quote it. The destination cannot be chosen here. " +
			"NEXT: send_report_email, notify_slack or publish_sns with the same check_id.",
		ReadOnly: false, Destructive: false, Idempotent: true, OpenWorld: true,
	}, func(ctx context.Context, in PublishInput) (PublishOutput, error) {
		if in.CheckID != "" {
			c, err := checks.Get(in.CheckID)
			if err != nil {
				return PublishOutput{}, err
			}
			date, _ := CheckDate(c)
			row := s.PublishCheck(ctx, c, date)
			if row.Failed() {
				return PublishOutput{}, tools.Errorf("publishing the report of %s failed at %s: %s", c.Cluster, row.Stage, row.Error)
			}
			out := PublishOutput{Cluster: c.Cluster, Region: c.Region, CheckID: c.ID, ReportPath: row.ReportPath,
				ContentType: ContentType("html"), Link: *row.Link}
			return out, nil
		}
		path, cluster, date, err := s.reportFile(in.ReportPath)
		if err != nil {
			return PublishOutput{}, err
		}
		row := s.publishFile(ctx, Row{Cluster: cluster}, path, date)
		if row.Failed() {
			return PublishOutput{}, tools.Errorf("publishing %s failed at %s: %s", filepath.Base(path), row.Stage, row.Error)
		}
		return PublishOutput{Cluster: cluster, ReportPath: path, ContentType: ContentType(filepath.Ext(path)), Link: *row.Link}, nil
	})
}

// reportFile resolves report_path: it must be a report file (render_report's naming) inside the report
// directory — after following symlinks — so the tool cannot be used to upload any other file.
func (s *Sender) reportFile(p string) (path, cluster string, date time.Time, err error) {
	fail := func(format string, a ...any) (string, string, time.Time, error) {
		return "", "", time.Time{}, tools.Errorf(format, a...)
	}
	if s.ReportDir == "" {
		return fail("report_path is not available: the server has no report directory; use check_id")
	}
	root, err := filepath.EvalSymlinks(s.ReportDir)
	if err != nil {
		return fail("the report directory does not exist yet; render a report first (render_report) or use check_id")
	}
	root, _ = filepath.Abs(root)
	cand := p
	if !filepath.IsAbs(cand) {
		cand = filepath.Join(s.ReportDir, cand)
	}
	real, err := filepath.EvalSymlinks(cand)
	if err != nil {
		if errors.Is(err, os.ErrNotExist) {
			return fail("report_path %q does not exist; use the path render_report returned, or check_id", p)
		}
		return fail("report_path %q cannot be read", p)
	}
	real, _ = filepath.Abs(real)
	rel, err := filepath.Rel(root, real)
	if err != nil || rel == ".." || strings.HasPrefix(rel, ".."+string(filepath.Separator)) || filepath.IsAbs(rel) {
		return fail("report_path must be a report inside the server's report directory; only reports can be published")
	}
	m := reportFileRE.FindStringSubmatch(filepath.Base(real))
	if m == nil {
		return fail("report_path %q is not a report file (render_report writes <cluster>-YYYYMMDD-HHMM.html)", filepath.Base(real))
	}
	st, err := os.Stat(real)
	if err != nil || !st.Mode().IsRegular() {
		return fail("report_path %q is not a regular file", filepath.Base(real))
	}
	d, err := time.ParseInLocation("20060102", m[2], s.loc())
	if err != nil {
		return fail("report_path %q has no valid date", filepath.Base(real))
	}
	return real, m[1], d, nil
}
