package demo

import (
	"math/rand/v2"
	"sort"
)

func sortStrings(s []string) []string {
	sort.Strings(s)
	return s
}

// rng returns a deterministic generator for one named series, so series do not shift when others are added.
func rng(name string) *rand.Rand {
	var h uint64 = 1469598103934665603
	for i := 0; i < len(name); i++ {
		h ^= uint64(name[i])
		h *= 1099511628211
	}
	return rand.New(rand.NewPCG(Seed, h))
}
