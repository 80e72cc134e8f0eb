// Package steering holds kida's Kiro steering files (embedded), which `kida-mcp steering install` writes into
// ~/.kiro/steering and the MCP server serves as kida://steering/{name} resources for other hosts.
package steering

import (
	"embed"
	"fmt"
	"io/fs"
	"sort"
	"strings"

	"gopkg.in/yaml.v3"
)

//go:embed *.md
var files embed.FS

// FrontMatter is the Kiro front matter of a steering file.
type FrontMatter struct {
	Inclusion        string `yaml:"inclusion"`        // always, auto, manual or fileMatch
	Name             string `yaml:"name"`             // required by auto
	Description      string `yaml:"description"`      // required by auto: what Kiro matches the request against
	FileMatchPattern string `yaml:"fileMatchPattern"` // required by fileMatch
}

// File is one steering file.
type File struct {
	Name    string // file name without .md, e.g. rds-troubleshoot
	Meta    FrontMatter
	Content []byte // the whole file, front matter included
}

// FileName is the name the file has on disk.
func (f File) FileName() string { return f.Name + ".md" }

// Body is the Markdown after the front matter.
func (f File) Body() string {
	_, body, _ := split(string(f.Content))
	return body
}

// All returns every steering file, sorted by name.
func All() []File {
	entries, err := fs.ReadDir(files, ".")
	if err != nil {
		panic(err) // embedded: cannot happen
	}
	var out []File
	for _, e := range entries {
		f, err := load(e.Name())
		if err != nil {
			panic(err) // a broken embedded file fails every test and start-up
		}
		out = append(out, f)
	}
	sort.Slice(out, func(i, j int) bool { return out[i].Name < out[j].Name })
	return out
}

// Get returns the steering file called name (with or without .md).
func Get(name string) (File, bool) {
	name = strings.TrimSuffix(name, ".md")
	for _, f := range All() {
		if f.Name == name {
			return f, true
		}
	}
	return File{}, false
}

// Names lists the steering file names (without .md).
func Names() []string {
	var n []string
	for _, f := range All() {
		n = append(n, f.Name)
	}
	return n
}

func load(fileName string) (File, error) {
	b, err := files.ReadFile(fileName)
	if err != nil {
		return File{}, err
	}
	fm, _, ok := split(string(b))
	if !ok {
		return File{}, fmt.Errorf("steering/%s: no front matter", fileName)
	}
	var meta FrontMatter
	dec := yaml.NewDecoder(strings.NewReader(fm))
	dec.KnownFields(true)
	if err := dec.Decode(&meta); err != nil {
		return File{}, fmt.Errorf("steering/%s: front matter: %v", fileName, err)
	}
	f := File{Name: strings.TrimSuffix(fileName, ".md"), Meta: meta, Content: b}
	return f, f.Meta.Validate()
}

// Validate checks the front matter against Kiro's inclusion modes.
func (m FrontMatter) Validate() error {
	switch m.Inclusion {
	case "always", "manual":
	case "auto":
		if m.Name == "" || m.Description == "" {
			return fmt.Errorf("inclusion auto needs name and description")
		}
	case "fileMatch":
		if m.FileMatchPattern == "" {
			return fmt.Errorf("inclusion fileMatch needs fileMatchPattern")
		}
	default:
		return fmt.Errorf("inclusion %q is not always, auto, manual or fileMatch", m.Inclusion)
	}
	return nil
}

// split separates "---\n<yaml>\n---\n<body>".
func split(s string) (frontMatter, body string, ok bool) {
	rest, found := strings.CutPrefix(s, "---\n")
	if !found {
		return "", s, false
	}
	i := strings.Index(rest, "\n---\n")
	if i < 0 {
		return "", s, false
	}
	return rest[:i+1], rest[i+len("\n---\n"):], true
}
