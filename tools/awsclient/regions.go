package awsclient

import (
	"regexp"

	"github.com/kida-mcp/kida-mcp/tools"
)

var regionRE = regexp.MustCompile(`^[a-z]{2}(-gov|-iso[a-z]?)?-[a-z]+-[0-9]{1,2}$`)

// Region resolves a tool's region argument: "" means the server's default region. A malformed name is a
// caller-fixable error that shows the expected form.
func Region(c Clients, in string) (string, error) {
	if in == "" {
		in = c.DefaultRegion()
	}
	if in == "" {
		return "", tools.Errorf("no region: pass region (e.g. \"ap-northeast-2\") or start the server with --region / AWS_REGION")
	}
	if !regionRE.MatchString(in) {
		return "", tools.Errorf("region %q is not an AWS region name; send one like \"us-east-1\" or \"ap-northeast-2\"", in)
	}
	return in, nil
}
