package tools

import (
	"strconv"
	"strings"
)

// Table renders a compact Markdown table for text mirrors. Cells are sanitised so untrusted text (log lines,
// SQL, event messages) cannot break the table or smuggle markup: pipes and newlines are escaped and control
// characters removed.
func Table(header []string, rows [][]string) string {
	var b strings.Builder
	b.WriteString("| " + strings.Join(cells(header), " | ") + " |\n|")
	for range header {
		b.WriteString("---|")
	}
	b.WriteByte('\n')
	for _, r := range rows {
		b.WriteString("| " + strings.Join(cells(r), " | ") + " |\n")
	}
	return b.String()
}

func cells(in []string) []string {
	out := make([]string, len(in))
	for i, c := range in {
		out[i] = Cell(c)
	}
	return out
}

// Cell makes s safe for one Markdown table cell or one bullet line.
func Cell(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r == '|':
			b.WriteString(`\|`)
		case r == '\n' || r == '\r' || r == '\t':
			b.WriteByte(' ')
		case r < 0x20 || r == 0x7f:
		default:
			b.WriteRune(r)
		}
	}
	return b.String()
}

// Num formats a float compactly for text: at most digits significant decimals, no trailing zeros.
func Num(v float64, digits int) string {
	s := strconv.FormatFloat(v, 'f', digits, 64)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	return s
}

// Bytes formats a byte count with a binary unit.
func Bytes(v float64) string {
	units := []string{"B", "KiB", "MiB", "GiB", "TiB", "PiB"}
	i := 0
	for v >= 1024 && i < len(units)-1 {
		v /= 1024
		i++
	}
	return Num(v, 1) + " " + units[i]
}

// Truncate shortens s to at most n runes, marking the cut with "…".
func Truncate(s string, n int) string {
	if n <= 0 {
		return ""
	}
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

// OrDash returns s, or "-" when s is empty (table cells).
func OrDash(s string) string {
	if s == "" {
		return "-"
	}
	return s
}
