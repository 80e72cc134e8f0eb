package cluster

import (
	"strings"
)

// ClassInfo returns vCPU count and memory in bytes for an RDS instance class (ok=false when unknown, and for
// db.serverless whose capacity is in ACUs: 1 ACU ≈ 2 GiB).
func ClassInfo(class string) (vcpu int, memBytes int64, ok bool) {
	parts := strings.Split(strings.TrimPrefix(class, "db."), ".")
	if len(parts) != 2 {
		return 0, 0, false
	}
	family, size := parts[0], parts[1]
	const gib = int64(1) << 30
	if strings.HasPrefix(family, "t") {
		t := map[string]struct {
			v int
			m int64
		}{"micro": {2, 1}, "small": {2, 2}, "medium": {2, 4}, "large": {2, 8}, "xlarge": {4, 16}, "2xlarge": {8, 32}}
		x, ok := t[size]
		return x.v, x.m * gib, ok
	}
	v, ok := sizeVCPU[size]
	if !ok {
		return 0, 0, false
	}
	perVCPU := int64(0)
	switch {
	case strings.HasPrefix(family, "x2"):
		perVCPU = 16
	case strings.HasPrefix(family, "r"), strings.HasPrefix(family, "z1"):
		perVCPU = 8
	case strings.HasPrefix(family, "m"):
		perVCPU = 4
	case strings.HasPrefix(family, "c"):
		perVCPU = 2
	default:
		return 0, 0, false
	}
	return v, int64(v) * perVCPU * gib, true
}

var sizeVCPU = map[string]int{
	"large": 2, "xlarge": 4, "2xlarge": 8, "4xlarge": 16, "8xlarge": 32, "12xlarge": 48,
	"16xlarge": 64, "24xlarge": 96, "32xlarge": 128, "48xlarge": 192,
}
