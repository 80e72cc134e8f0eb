package awsclient

import (
	"errors"
	"strings"
	"testing"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"
)

// TestClassifySaysHowOftenTheSDKTried: 5xx and network failures that exhausted the retryer say so (as
// throttling already does); a single attempt says nothing about attempts.
func TestClassifySaysHowOftenTheSDKTried(t *testing.T) {
	retried := func(err error) error {
		return &smithy.OperationError{ServiceID: "CloudTrail", OperationName: "LookupEvents", Err: &retry.MaxAttemptsError{Attempt: 3, Err: err}}
	}
	for name, c := range map[string]struct {
		err  error
		want []string
	}{
		"503":   {retried(&smithy.GenericAPIError{Code: "ServiceUnavailable", Message: "busy"}), []string{"AWS error from CloudTrail LookupEvents after 3 attempts", "ServiceUnavailable"}},
		"reset": {retried(errors.New("read tcp 127.0.0.1:1->127.0.0.1:2: read: connection reset by peer")), []string{"Network error", "after 3 attempts", "(connection reset)"}},
		"once":  {opErr("CloudTrail", "LookupEvents", "ServiceUnavailable", "busy"), []string{"AWS error from CloudTrail LookupEvents: ServiceUnavailable"}},
	} {
		got := Classify(c.err).Error()
		for _, w := range c.want {
			if !strings.Contains(got, w) {
				t.Errorf("%s: %q lacks %q", name, got, w)
			}
		}
		if name == "once" && strings.Contains(got, "attempts") {
			t.Errorf("once: %q", got)
		}
	}
}
