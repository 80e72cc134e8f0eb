package main

import (
	"context"
	"fmt"
	"strings"

	"github.com/mark3labs/mcp-go/mcp"
	"github.com/mark3labs/mcp-go/server"

	"github.com/kida-mcp/kida-mcp/steering"
	"github.com/kida-mcp/kida-mcp/tools/check"
	"github.com/kida-mcp/kida-mcp/tools/report"
)

// Resource URIs. Reports and checks come from the server's one check store (memory, then the report
// directory), so a check_id from run_health_check is readable as soon as the call returns.
const (
	steeringURI = "kida://steering/"
	reportsURI  = "kida://reports/"
	checksURI   = "kida://checks/"
)

// addResources registers the steering files (static, and a template for hosts that list templates only),
// the rendered reports and the stored checks.
func addResources(s *server.MCPServer, store *check.Store) {
	for _, f := range steering.All() {
		s.AddResource(mcp.NewResource(steeringURI+f.Name, "steering: "+f.Name,
			mcp.WithResourceDescription(f.Meta.Description),
			mcp.WithMIMEType("text/markdown"),
		), func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
			return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "text/markdown", Text: string(f.Content)}}, nil
		})
	}
	s.AddResourceTemplate(mcp.NewResourceTemplate(steeringURI+"{name}", "steering",
		mcp.WithTemplateDescription("kida's steering files (Markdown with Kiro front matter): "+strings.Join(steering.Names(), ", ")+"."),
		mcp.WithTemplateMIMEType("text/markdown"),
	), readSteering)
	s.AddResourceTemplate(mcp.NewResourceTemplate(reportsURI+"{check_id}", "report",
		mcp.WithTemplateDescription("The report of a stored health check (check_id from run_health_check): Markdown and self-contained HTML. Append .md or .html for one format."),
		mcp.WithTemplateMIMEType("text/markdown"),
	), readReport(store))
	s.AddResourceTemplate(mcp.NewResourceTemplate(checksURI+"{check_id}", "check",
		mcp.WithTemplateDescription("A stored health check as JSON (check_id from run_health_check): every section, finding, gap and series."),
		mcp.WithTemplateMIMEType("application/json"),
	), readCheck(store))
}

// templateVar returns a URI template variable; mcp-go hands them over as []string (reference/mcp.md §2.5).
func templateVar(req mcp.ReadResourceRequest, name string) string {
	switch v := req.Params.Arguments[name].(type) {
	case []string:
		if len(v) > 0 {
			return v[0]
		}
	case string:
		return v
	}
	return ""
}

func readSteering(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
	name := templateVar(req, "name")
	f, ok := steering.Get(name)
	if !ok {
		return nil, fmt.Errorf("%w: no steering file %q (have %s)", server.ErrResourceNotFound, name, strings.Join(steering.Names(), ", "))
	}
	return []mcp.ResourceContents{mcp.TextResourceContents{URI: req.Params.URI, MIMEType: "text/markdown", Text: string(f.Content)}}, nil
}

// storedCheck validates the id (no path traversal: check.ValidID allows only [a-z0-9-]) and loads the check.
func storedCheck(store *check.Store, id string) (report.Check, error) {
	if !check.ValidID(id) {
		return report.Check{}, fmt.Errorf("%w: %q is not a check id (they look like orders-prod-20261122t0900z-1a2b; run_health_check returns one)", server.ErrResourceNotFound, id)
	}
	c, err := store.Get(id)
	if err != nil {
		return report.Check{}, fmt.Errorf("%w: %v", server.ErrResourceNotFound, err)
	}
	return c, nil
}

func readReport(store *check.Store) server.ResourceTemplateHandlerFunc {
	return func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id := templateVar(req, "check_id")
		md, html := true, true
		if v, ok := strings.CutSuffix(id, ".md"); ok {
			id, html = v, false
		} else if v, ok := strings.CutSuffix(id, ".html"); ok {
			id, md = v, false
		}
		c, err := storedCheck(store, id)
		if err != nil {
			return nil, err
		}
		var out []mcp.ResourceContents
		if md {
			var b strings.Builder
			if err := report.Markdown(&b, c); err != nil {
				return nil, err
			}
			out = append(out, mcp.TextResourceContents{URI: reportsURI + id + ".md", MIMEType: "text/markdown", Text: b.String()})
		}
		if html {
			var b strings.Builder
			if err := report.HTML(&b, c); err != nil {
				return nil, err
			}
			out = append(out, mcp.TextResourceContents{URI: reportsURI + id + ".html", MIMEType: "text/html", Text: b.String()})
		}
		return out, nil
	}
}

func readCheck(store *check.Store) server.ResourceTemplateHandlerFunc {
	return func(_ context.Context, req mcp.ReadResourceRequest) ([]mcp.ResourceContents, error) {
		id := templateVar(req, "check_id")
		c, err := storedCheck(store, id)
		if err != nil {
			return nil, err
		}
		var b strings.Builder
		if err := report.JSON(&b, c); err != nil {
			return nil, err
		}
		return []mcp.ResourceContents{mcp.TextResourceContents{URI: checksURI + id, MIMEType: "application/json", Text: b.String()}}, nil
	}
}
