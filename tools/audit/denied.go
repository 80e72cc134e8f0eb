package audit

import (
	"errors"
	"slices"

	"github.com/aws/smithy-go"
)

var iamPrefix = map[string]string{"CloudTrail": "cloudtrail", "Health": "health", "RDS": "rds"}

// deniedAction recognises an access-denied error and names the IAM action that was refused.
func deniedAction(err error, fallback string) (string, bool) {
	var ae smithy.APIError
	if !errors.As(err, &ae) {
		return "", false
	}
	switch ae.ErrorCode() {
	case "AccessDenied", "AccessDeniedException", "NotAuthorized", "NotAuthorizedException", "UnauthorizedOperation", "UnauthorizedException":
	default:
		return "", false
	}
	var oe *smithy.OperationError
	if errors.As(err, &oe) && oe.OperationName != "" {
		if p, ok := iamPrefix[oe.ServiceID]; ok {
			return p + ":" + oe.OperationName, true
		}
	}
	return fallback, true
}

func errorCode(err error) string {
	var ae smithy.APIError
	if errors.As(err, &ae) {
		return ae.ErrorCode()
	}
	return ""
}

func addOnce(list []string, v string) []string {
	if slices.Contains(list, v) {
		return list
	}
	return append(list, v)
}
