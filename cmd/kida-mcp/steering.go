package main

import (
	"bytes"
	"encoding/json"
	"errors"
	"flag"
	"fmt"
	"io"
	"io/fs"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"time"

	"github.com/kida-mcp/kida-mcp/steering"
	"github.com/kida-mcp/kida-mcp/tools"
	"github.com/kida-mcp/kida-mcp/tools/demo"
)

// steeringUsage is printed by `kida-mcp steering --help`.
const steeringUsage = `Usage: kida-mcp steering install [--kiro-dir ~/.kiro | --workspace DIR] [--command PATH] [--dry-run]

Writes kida's steering files (rds-troubleshoot.md, daily-report.md, incident-analysis.md) into
<kiro-dir>/steering/ and adds or updates the "kida" server in <kiro-dir>/settings/mcp.json, with autoApprove
listing exactly kida's read-only tools. Other servers in mcp.json are kept as they are; a file that changes is
backed up first (<file>.kida-backup-<time>). Running it again changes nothing.

Flags:
  --kiro-dir DIR   Kiro's user directory (default ~/.kiro)
  --workspace DIR  install into DIR/.kiro instead (workspace steering and settings)
  --command PATH   the kida-mcp binary Kiro starts (default: this binary's absolute path)
  --dry-run        print what would change and write nothing
`

// installOptions are the flags of `steering install`.
type installOptions struct {
	KiroDir, Workspace, Command string
	DryRun                      bool
	Now                         func() time.Time
}

func steeringCmd(args []string, stdout io.Writer, getenv func(string) string) error {
	if len(args) == 0 || args[0] == "-h" || args[0] == "--help" || args[0] == "help" {
		fmt.Fprint(stdout, steeringUsage)
		if len(args) == 0 {
			return fmt.Errorf("steering: missing subcommand (install)")
		}
		return flag.ErrHelp
	}
	if args[0] != "install" {
		return fmt.Errorf("steering: unknown subcommand %q (want install)", args[0])
	}
	fs := flag.NewFlagSet("kida-mcp steering install", flag.ContinueOnError)
	fs.SetOutput(stdout)
	fs.Usage = func() { fmt.Fprint(stdout, steeringUsage) }
	var o installOptions
	fs.StringVar(&o.KiroDir, "kiro-dir", "~/.kiro", "Kiro's user directory")
	fs.StringVar(&o.Workspace, "workspace", "", "install into DIR/.kiro")
	fs.StringVar(&o.Command, "command", "", "the kida-mcp binary Kiro starts")
	fs.BoolVar(&o.DryRun, "dry-run", false, "print what would change and write nothing")
	if err := fs.Parse(args[1:]); err != nil {
		return err
	}
	if fs.NArg() > 0 {
		return fmt.Errorf("steering install: unexpected argument %q", fs.Arg(0))
	}
	kiroSet := false
	fs.Visit(func(f *flag.Flag) { kiroSet = kiroSet || f.Name == "kiro-dir" })
	if kiroSet && o.Workspace != "" {
		return fmt.Errorf("steering install: give --kiro-dir or --workspace, not both")
	}
	if o.Workspace != "" {
		o.KiroDir = filepath.Join(o.Workspace, ".kiro")
	}
	if strings.HasPrefix(o.KiroDir, "~") {
		home := getenv("HOME")
		if home == "" {
			h, err := os.UserHomeDir()
			if err != nil {
				return fmt.Errorf("--kiro-dir %s: no home directory; pass an absolute path", o.KiroDir)
			}
			home = h
		}
		o.KiroDir = filepath.Join(home, strings.TrimPrefix(o.KiroDir, "~"))
	}
	if o.Command == "" {
		exe, err := os.Executable()
		if err != nil {
			return fmt.Errorf("cannot find this binary's path (%v); pass --command /path/to/kida-mcp", err)
		}
		if r, err := filepath.EvalSymlinks(exe); err == nil {
			exe = r
		}
		o.Command = exe
	}
	if !filepath.IsAbs(o.Command) {
		abs, err := filepath.Abs(o.Command)
		if err != nil {
			return err
		}
		o.Command = abs
	}
	return installSteering(o, stdout)
}

// readOnlyTools lists every read-only tool of every toolset: what Kiro may run without asking.
func readOnlyTools() []string {
	var out []string
	for _, t := range allTools(demo.New(time.Unix(0, 0)), tools.Env{}, Config{}) {
		if t.ReadOnly {
			out = append(out, t.Name)
		}
	}
	return out
}

// installSteering does the work; every step is printed as it is done (or would be, with DryRun).
func installSteering(o installOptions, out io.Writer) error {
	if o.Now == nil {
		o.Now = time.Now
	}
	stamp := o.Now().UTC().Format("20060102T150405Z")
	verb := func(v string) string {
		if o.DryRun {
			return "would " + v
		}
		return v
	}
	steerDir := filepath.Join(o.KiroDir, "steering")
	for _, f := range steering.All() {
		path := filepath.Join(steerDir, f.FileName())
		old, err := os.ReadFile(path)
		switch {
		case err == nil && bytes.Equal(old, f.Content):
			fmt.Fprintf(out, "%-12s %s\n", "unchanged", path)
			continue
		case err != nil && !errors.Is(err, fs.ErrNotExist):
			return err
		}
		if err == nil {
			bak := path + ".kida-backup-" + stamp
			fmt.Fprintf(out, "%-12s %s (your edited copy)\n", verb("backup"), bak)
			if !o.DryRun {
				if err := os.WriteFile(bak, old, 0o600); err != nil {
					return err
				}
			}
		}
		fmt.Fprintf(out, "%-12s %s\n", verb("write"), path)
		if !o.DryRun {
			if err := os.MkdirAll(steerDir, 0o755); err != nil {
				return err
			}
			if err := writeFileAtomic(path, f.Content, 0o644); err != nil {
				return err
			}
		}
	}
	return installMCPEntry(o, stamp, verb, out)
}

// installMCPEntry adds or updates mcpServers.kida in settings/mcp.json. The other top-level keys and servers
// keep their order and their JSON verbatim (only re-indented).
func installMCPEntry(o installOptions, stamp string, verb func(string) string, out io.Writer) error {
	path := filepath.Join(o.KiroDir, "settings", "mcp.json")
	old, err := os.ReadFile(path)
	exists := err == nil
	if err != nil && !errors.Is(err, fs.ErrNotExist) {
		return err
	}
	top, err := parseObject(old)
	if err != nil {
		return fmt.Errorf("%s is not a JSON object (%v); fix or move it, then run again", path, err)
	}
	servers, err := parseObject(top.get("mcpServers"))
	if err != nil {
		return fmt.Errorf("%s: mcpServers is not a JSON object (%v)", path, err)
	}
	entry := map[string]any{}
	if raw := servers.get("kida"); raw != nil {
		if err := json.Unmarshal(raw, &entry); err != nil || entry == nil {
			return fmt.Errorf("%s: mcpServers.kida is not a JSON object; fix or remove it, then run again", path)
		}
	}
	action := "updated"
	if servers.get("kida") == nil {
		action = "added"
	}
	entry["command"] = o.Command
	if _, ok := entry["args"]; !ok {
		entry["args"] = []string{"serve"}
	}
	if _, ok := entry["disabled"]; !ok {
		entry["disabled"] = false
	}
	ro := readOnlyTools()
	entry["autoApprove"] = ro
	raw, err := json.Marshal(orderedEntry(entry))
	if err != nil {
		return err
	}
	servers.set("kida", raw)
	sraw, err := servers.marshal()
	if err != nil {
		return err
	}
	top.set("mcpServers", sraw)
	next, err := top.marshal()
	if err != nil {
		return err
	}
	var others []string
	for _, k := range servers.keys {
		if k != "kida" {
			others = append(others, k)
		}
	}
	if exists && bytes.Equal(old, next) {
		fmt.Fprintf(out, "%-12s %s (kida entry up to date; %d other servers)\n", "unchanged", path, len(others))
		return nil
	}
	if exists {
		bak := path + ".kida-backup-" + stamp
		fmt.Fprintf(out, "%-12s %s\n", verb("backup"), bak)
		if !o.DryRun {
			if err := os.WriteFile(bak, old, 0o600); err != nil {
				return err
			}
		}
	}
	fmt.Fprintf(out, "%-12s %s: kida entry %s (command %s, autoApprove: %d read-only tools)\n", verb("write"), path, action, o.Command, len(ro))
	if len(others) > 0 {
		fmt.Fprintf(out, "%-12s other servers kept as they were: %s\n", "", strings.Join(others, ", "))
	}
	if o.DryRun {
		return nil
	}
	mode := fs.FileMode(0o644)
	if st, err := os.Stat(path); err == nil {
		mode = st.Mode().Perm()
	}
	if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
		return err
	}
	if err := writeFileAtomic(path, next, mode); err != nil {
		return err
	}
	fmt.Fprintf(out, "Restart Kiro's MCP servers to load it. Add --region/--profile to the kida args in that file if needed; running install again keeps them.\n")
	return nil
}

// orderedEntry writes the kida entry's keys in a readable order: command, args, env, then the rest sorted.
func orderedEntry(m map[string]any) *object {
	o := &object{vals: map[string]json.RawMessage{}}
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	rank := map[string]int{"command": 0, "args": 1, "env": 2, "disabled": 3, "autoApprove": 4}
	sort.Slice(keys, func(i, j int) bool {
		ri, iok := rank[keys[i]]
		rj, jok := rank[keys[j]]
		switch {
		case iok && jok:
			return ri < rj
		case iok != jok:
			return iok
		}
		return keys[i] < keys[j]
	})
	for _, k := range keys {
		b, _ := json.Marshal(m[k])
		o.set(k, b)
	}
	return o
}

// object is a JSON object that keeps its key order and its values' raw JSON.
type object struct {
	keys []string
	vals map[string]json.RawMessage
}

func parseObject(b []byte) (*object, error) {
	o := &object{vals: map[string]json.RawMessage{}}
	if len(bytes.TrimSpace(b)) == 0 {
		return o, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	tok, err := dec.Token()
	if err != nil {
		return nil, err
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, fmt.Errorf("not an object")
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, err
		}
		k, _ := tok.(string)
		var v json.RawMessage
		if err := dec.Decode(&v); err != nil {
			return nil, err
		}
		o.set(k, v)
	}
	if _, err := dec.Token(); err != nil {
		return nil, err
	}
	if dec.More() {
		return nil, fmt.Errorf("trailing data after the object")
	}
	if _, err := dec.Token(); err != io.EOF {
		return nil, fmt.Errorf("trailing data after the object")
	}
	return o, nil
}

func (o *object) get(k string) json.RawMessage { return o.vals[k] }

func (o *object) set(k string, v json.RawMessage) {
	if _, ok := o.vals[k]; !ok {
		o.keys = append(o.keys, k)
	}
	o.vals[k] = v
}

// MarshalJSON writes the object compactly, in key order.
func (o *object) MarshalJSON() ([]byte, error) {
	var b bytes.Buffer
	b.WriteByte('{')
	for i, k := range o.keys {
		if i > 0 {
			b.WriteByte(',')
		}
		kb, _ := json.Marshal(k)
		b.Write(kb)
		b.WriteByte(':')
		if err := json.Compact(&b, o.vals[k]); err != nil {
			return nil, fmt.Errorf("%s: %w", k, err)
		}
	}
	b.WriteByte('}')
	return b.Bytes(), nil
}

// marshal writes the object indented by two spaces, with a final newline (Kiro's own style).
func (o *object) marshal() ([]byte, error) {
	c, err := o.MarshalJSON()
	if err != nil {
		return nil, err
	}
	var b bytes.Buffer
	if err := json.Indent(&b, c, "", "  "); err != nil {
		return nil, err
	}
	b.WriteByte('\n')
	return b.Bytes(), nil
}

// writeFileAtomic writes via a temporary file in the same directory and a rename.
func writeFileAtomic(path string, b []byte, mode fs.FileMode) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), "."+filepath.Base(path)+".*.tmp")
	if err != nil {
		return err
	}
	if _, err := tmp.Write(b); err != nil {
		_ = tmp.Close()
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	if err := os.Chmod(tmp.Name(), mode); err != nil {
		_ = os.Remove(tmp.Name())
		return err
	}
	return os.Rename(tmp.Name(), path)
}
