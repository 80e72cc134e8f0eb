// Package awsclient is the only package that loads aws.Config. It resolves region, profile and an optional
// assume-role, configures the standard retryer with capped attempts and the app id "kida-mcp/<version>",
// caches clients per region, honours an endpoint override (AWS_ENDPOINT_URL, --aws-endpoint) for emulators
// such as moto and for the demo, and classifies AWS errors into model-facing messages (Classify).
//
// Families never see *rds.Client and friends directly: they receive the Clients interface, whose methods
// return the per-service interfaces below (the union of the operations kida calls). The demo fleet
// (tools/demo) implements the same interfaces.
package awsclient
