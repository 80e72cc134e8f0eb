package report

import (
	"bufio"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"sync"
)

// JSON writes the check as indented JSON. Absent lists are written as [] rather than null, so consumers can
// iterate without checks; the Check itself is not modified.
func JSON(w io.Writer, c Check) error {
	bw := bufio.NewWriterSize(w, 64<<10)
	enc := json.NewEncoder(bw)
	enc.SetIndent("", "  ")
	if err := enc.Encode(filled(reflect.ValueOf(c)).Interface()); err != nil {
		return fmt.Errorf("render JSON report: %w", err)
	}
	return bw.Flush()
}

// formats are the names Write accepts, with their file extensions.
var formats = map[string]string{"html": "html", "markdown": "md", "md": "md", "json": "json"}

// Write renders the check in format (html, markdown or json; "" means html) into
// <dir>/<cluster>-<YYYYMMDD-HHMM>.<ext>, named by the check's GeneratedAt in UTC. The file appears
// atomically: it is rendered into a temporary file in dir and renamed, so a reader never sees a partial
// report and a failed render leaves nothing behind. It returns the path and size.
func Write(dir string, c Check, format string) (path string, size int64, err error) {
	return WriteLang(dir, c, format, "")
}

// WriteLang is Write with the HTML report in a language (en or ko; "" is English). Markdown and JSON are
// read by tools and agents and stay English.
func WriteLang(dir string, c Check, format, lang string) (path string, size int64, err error) {
	f := strings.ToLower(strings.TrimSpace(format))
	if f == "" {
		f = "html"
	}
	ext, ok := formats[f]
	if !ok {
		return "", 0, fmt.Errorf("unknown report format %q (use html, markdown or json)", format)
	}
	html := func(w io.Writer, c Check) error { return HTMLLang(w, c, lang) }
	render := map[string]func(io.Writer, Check) error{"html": html, "md": Markdown, "json": JSON}[ext]
	if err := os.MkdirAll(dir, 0o755); err != nil {
		return "", 0, fmt.Errorf("report directory: %w", err)
	}
	name := fileName(c, ext)
	tmp, err := os.CreateTemp(dir, "."+name+".*.tmp")
	if err != nil {
		return "", 0, fmt.Errorf("write report: %w", err)
	}
	defer func() {
		if err != nil {
			_ = tmp.Close()
			_ = os.Remove(tmp.Name())
		}
	}()
	if err = render(tmp, c); err != nil {
		return "", 0, err
	}
	if err = tmp.Sync(); err != nil {
		return "", 0, fmt.Errorf("write report: %w", err)
	}
	st, err := tmp.Stat()
	if err != nil {
		return "", 0, fmt.Errorf("write report: %w", err)
	}
	if err = tmp.Close(); err != nil {
		return "", 0, fmt.Errorf("write report: %w", err)
	}
	if err = os.Chmod(tmp.Name(), 0o644); err != nil {
		return "", 0, fmt.Errorf("write report: %w", err)
	}
	path = filepath.Join(dir, name)
	if err = os.Rename(tmp.Name(), path); err != nil {
		return "", 0, fmt.Errorf("write report: %w", err)
	}
	return path, st.Size(), nil
}

// fileName is the report's file name: <cluster>-<YYYYMMDD-HHMM>.<ext>, the time being GeneratedAt in UTC
// and the cluster reduced to letters, digits, '.', '_' and '-'.
func fileName(c Check, ext string) string {
	var b strings.Builder
	for _, r := range c.Cluster {
		switch {
		case r >= 'a' && r <= 'z', r >= 'A' && r <= 'Z', r >= '0' && r <= '9', r == '-', r == '_', r == '.':
			b.WriteRune(r)
		default:
			b.WriteByte('-')
		}
		if b.Len() >= 100 {
			break
		}
	}
	name := strings.TrimLeft(b.String(), ".-")
	if name == "" {
		name = "report"
	}
	return name + "-" + c.GeneratedAt.UTC().Format("20060102-1504") + "." + ext
}

// filled returns a copy of v in which every nil slice is empty. Slices without nested slices are shared,
// not copied (the metric points are most of a check).
func filled(v reflect.Value) reflect.Value {
	switch v.Kind() {
	case reflect.Slice:
		if v.IsNil() {
			return reflect.MakeSlice(v.Type(), 0, 0)
		}
		if !hasSlices(v.Type().Elem()) {
			return v
		}
		out := reflect.MakeSlice(v.Type(), v.Len(), v.Len())
		for i := range v.Len() {
			out.Index(i).Set(filled(v.Index(i)))
		}
		return out
	case reflect.Struct:
		if !hasSlices(v.Type()) {
			return v
		}
		out := reflect.New(v.Type()).Elem()
		out.Set(v)
		for i := range v.NumField() {
			if v.Type().Field(i).IsExported() {
				out.Field(i).Set(filled(v.Field(i)))
			}
		}
		return out
	}
	return v
}

var sliceTypes sync.Map // reflect.Type → bool

// hasSlices reports whether a value of type t can hold a slice that filled would change.
func hasSlices(t reflect.Type) bool {
	if b, ok := sliceTypes.Load(t); ok {
		return b.(bool)
	}
	r := false
	switch t.Kind() {
	case reflect.Slice:
		r = true
	case reflect.Struct:
		if t.PkgPath() == reflect.TypeFor[Check]().PkgPath() {
			for i := range t.NumField() {
				if t.Field(i).IsExported() && hasSlices(t.Field(i).Type) {
					r = true
					break
				}
			}
		}
	}
	sliceTypes.Store(t, r)
	return r
}
