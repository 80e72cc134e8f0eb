package check

// raw keeps the engine results the rules need, beyond what the report shows.
type raw struct{}

// sections lists every section after topology, in display order. Each family's adapter lives in its own
// file (sec_<family>.go).
func sections() []section {
	return nil
}
