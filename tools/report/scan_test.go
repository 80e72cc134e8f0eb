package report

import (
	"fmt"
	"html"
	"strings"
)

// A small HTML scanner for the safety tests. golang.org/x/net/html is not a dependency of this module, so
// the tests tokenize the report themselves, conservatively: everything that looks like a tag is a tag
// (including inside SVG <title>, which browsers parse as markup), attribute values may be double-quoted,
// single-quoted or bare, and only <script> and <style> hold raw text, as in the HTML tokenizer. A hostile
// string that escaped escaping would therefore show up here as an element or an attribute.

type node struct {
	kind  string // "start", "end", "text", "comment", "doctype", "raw" (script/style content)
	name  string // lower-case tag name; for raw, the element it belongs to
	attrs []attr
	text  string // raw bytes for text/raw/comment
	off   int
}

type attr struct{ name, val string } // val is entity-decoded

func (n node) attr(name string) (string, bool) {
	for _, a := range n.attrs {
		if a.name == name {
			return a.val, true
		}
	}
	return "", false
}

func scan(doc string) ([]node, error) {
	var out []node
	i := 0
	for i < len(doc) {
		lt := strings.IndexByte(doc[i:], '<')
		if lt < 0 {
			out = append(out, node{kind: "text", text: doc[i:], off: i})
			break
		}
		if lt > 0 {
			out = append(out, node{kind: "text", text: doc[i : i+lt], off: i})
		}
		i += lt
		rest := doc[i:]
		switch {
		case strings.HasPrefix(rest, "<!--"):
			end := strings.Index(rest[4:], "-->")
			if end < 0 {
				return nil, fmt.Errorf("unterminated comment at %d", i)
			}
			out = append(out, node{kind: "comment", text: rest[4 : 4+end], off: i})
			i += 4 + end + 3
		case strings.HasPrefix(rest, "<!"):
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return nil, fmt.Errorf("unterminated doctype at %d", i)
			}
			out = append(out, node{kind: "doctype", text: rest[:end+1], off: i})
			i += end + 1
		case strings.HasPrefix(rest, "</") && len(rest) > 2 && isLetter(rest[2]):
			j := 2
			for j < len(rest) && rest[j] != '>' && !isSpace(rest[j]) && rest[j] != '/' {
				j++
			}
			name := strings.ToLower(rest[2:j])
			end := strings.IndexByte(rest, '>')
			if end < 0 {
				return nil, fmt.Errorf("unterminated end tag at %d", i)
			}
			out = append(out, node{kind: "end", name: name, off: i})
			i += end + 1
		case len(rest) > 1 && isLetter(rest[1]):
			n, size, err := startTag(rest)
			if err != nil {
				return nil, fmt.Errorf("at %d: %w", i, err)
			}
			n.off = i
			out = append(out, n)
			i += size
			if n.name == "script" || n.name == "style" {
				closeAt := strings.Index(strings.ToLower(doc[i:]), "</"+n.name)
				if closeAt < 0 {
					return nil, fmt.Errorf("unterminated <%s> at %d", n.name, i)
				}
				out = append(out, node{kind: "raw", name: n.name, text: doc[i : i+closeAt], off: i})
				i += closeAt
			}
		default: // a lone '<' is text
			out = append(out, node{kind: "text", text: "<", off: i})
			i++
		}
	}
	return out, nil
}

func startTag(s string) (node, int, error) {
	j := 1
	for j < len(s) && !isSpace(s[j]) && s[j] != '>' && s[j] != '/' {
		j++
	}
	n := node{kind: "start", name: strings.ToLower(s[1:j])}
	for {
		for j < len(s) && (isSpace(s[j]) || s[j] == '/') {
			j++
		}
		if j >= len(s) {
			return n, 0, fmt.Errorf("unterminated <%s>", n.name)
		}
		if s[j] == '>' {
			return n, j + 1, nil
		}
		k := j
		for k < len(s) && !isSpace(s[k]) && s[k] != '=' && s[k] != '>' && s[k] != '/' {
			k++
		}
		name := strings.ToLower(s[j:k])
		j = k
		for j < len(s) && isSpace(s[j]) {
			j++
		}
		val := ""
		if j < len(s) && s[j] == '=' {
			j++
			for j < len(s) && isSpace(s[j]) {
				j++
			}
			if j < len(s) && (s[j] == '"' || s[j] == '\'') {
				q := s[j]
				end := strings.IndexByte(s[j+1:], q)
				if end < 0 {
					return n, 0, fmt.Errorf("unterminated attribute %s", name)
				}
				val = s[j+1 : j+1+end]
				j += end + 2
			} else {
				k := j
				for k < len(s) && !isSpace(s[k]) && s[k] != '>' {
					k++
				}
				val = s[j:k]
				j = k
			}
		}
		n.attrs = append(n.attrs, attr{name: name, val: html.UnescapeString(val)})
	}
}

func isLetter(b byte) bool { return b >= 'a' && b <= 'z' || b >= 'A' && b <= 'Z' }
func isSpace(b byte) bool  { return b == ' ' || b == '\t' || b == '\n' || b == '\r' || b == '\f' }
