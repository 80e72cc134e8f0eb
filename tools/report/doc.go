// Package report renders a health check (Check, defined in model.go) as a self-contained HTML report with
// nine tabs, as Markdown and as JSON. It is pure: no AWS, no MCP, no clock — the same Check always renders
// the same bytes. Charts are SVG drawn here, made interactive by a small script of ours; the CSS is ours;
// a Content-Security-Policy with the hashes of our inline scripts forbids every network load. All text
// from the database (SQL, log lines, event messages) goes through html/template's contextual escaping.
package report
