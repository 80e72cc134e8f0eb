package cluster

import (
	"context"

	"github.com/kida-mcp/kida-mcp/tools/awsclient"
	"github.com/kida-mcp/kida-mcp/tools/timewin"
)

// Resolve is the common start of a windowed per-cluster tool: it resolves the region argument ("" → the
// server's default), the window in that region (opt.Region is filled in; opt.Now must be set) and the
// cluster's topology. The region is returned as Topology.Region and Window.Region. Errors are returned as
// is: region and cluster errors are already *tools.Error, window errors are caller faults for tools.Classify.
func Resolve(ctx context.Context, c awsclient.Clients, clusterID, region string, win timewin.Input, opt timewin.Options) (Topology, timewin.Window, error) {
	region, err := awsclient.Region(c, region)
	if err != nil {
		return Topology{}, timewin.Window{}, err
	}
	opt.Region = region
	w, err := timewin.Resolve(win, opt)
	if err != nil {
		return Topology{}, timewin.Window{}, err
	}
	t, err := Describe(ctx, c.RDS(region), region, clusterID)
	if err != nil {
		return Topology{}, timewin.Window{}, err
	}
	return t, w, nil
}
