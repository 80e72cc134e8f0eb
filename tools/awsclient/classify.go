package awsclient

import (
	"errors"
	"fmt"
	"strings"

	"github.com/aws/aws-sdk-go-v2/aws/retry"
	"github.com/aws/smithy-go"

	"github.com/kida-mcp/kida-mcp/tools"
)

// CallError adds the region and resource a failed AWS call was about, so messages can name them.
type CallError struct {
	Region   string
	Resource string
	Err      error
}

func (e *CallError) Error() string { return e.Err.Error() }
func (e *CallError) Unwrap() error { return e.Err }

// In wraps err with the region and resource it concerns (nil stays nil).
func In(region, resource string, err error) error {
	if err == nil {
		return nil
	}
	return &CallError{Region: region, Resource: resource, Err: err}
}

// iamPrefix maps SDK service IDs to IAM action prefixes.
var iamPrefix = map[string]string{
	"RDS": "rds", "CloudWatch": "cloudwatch", "CloudWatch Logs": "logs", "PI": "pi", "CloudTrail": "cloudtrail",
	"Health": "health", "S3": "s3", "SESv2": "ses", "SNS": "sns", "STS": "sts", "KMS": "kms",
}

// Codes by class, across the services kida calls.
var (
	deniedCodes   = set("AccessDenied", "AccessDeniedException", "UnauthorizedOperation", "AuthorizationError", "NotAuthorized", "NotAuthorizedException", "UnauthorizedException")
	throttleCodes = set("Throttling", "ThrottlingException", "ThrottledException", "TooManyRequestsException", "RequestLimitExceeded", "LimitExceededException", "RequestThrottled", "SlowDown", "PriorRequestNotComplete", "RequestThrottledException")
	expiredCodes  = set("ExpiredToken", "ExpiredTokenException", "RequestExpired", "TokenRefreshRequired")
	badCredCodes  = set("InvalidClientTokenId", "UnrecognizedClientException", "SignatureDoesNotMatch", "InvalidSignatureException", "IncompleteSignature", "MissingAuthenticationToken")
	notFoundCodes = set("DBClusterNotFoundFault", "DBInstanceNotFound", "DBInstanceNotFoundFault", "DBClusterNotFound", "ResourceNotFoundException", "NoSuchBucket", "NotFound", "DBParameterGroupNotFound", "DBClusterParameterGroupNotFound", "NotFoundException")
	subscrCodes   = set("SubscriptionRequiredException")
	invalidCodes  = set("InvalidParameterValue", "InvalidParameterCombination", "InvalidParameterException", "ValidationException", "InvalidArgumentException", "InvalidRequestException", "MalformedQueryException")
)

func set(xs ...string) map[string]bool {
	m := map[string]bool{}
	for _, x := range xs {
		m[x] = true
	}
	return m
}

// Classify turns an AWS SDK error into a model-facing *tools.Error (caller-fixable: what happened, where,
// what to do) or a *tools.HardError when no credentials can be found at all. It returns nil for errors it
// does not recognise. It never includes credentials or request signatures.
func Classify(err error) error {
	if err == nil {
		return nil
	}
	var ce *CallError
	where := ""
	if errors.As(err, &ce) {
		where = " in " + ce.Region
		if ce.Resource != "" {
			where = " for " + ce.Resource + where
		}
	}
	op, svc := "", ""
	var oe *smithy.OperationError
	if errors.As(err, &oe) {
		op, svc = oe.OperationName, oe.ServiceID
	}
	action := op
	if p, ok := iamPrefix[svc]; ok && op != "" {
		action = p + ":" + op
	}
	call := svc + " " + op
	if op == "" {
		call = "the AWS call"
	}
	attempts := 0
	var me *retry.MaxAttemptsError
	if errors.As(err, &me) {
		attempts = me.Attempt
	}
	var ae smithy.APIError
	if errors.As(err, &ae) {
		code, msg := ae.ErrorCode(), clean(ae.ErrorMessage())
		switch {
		case deniedCodes[code]:
			return &tools.Error{Err: err, Msg: fmt.Sprintf("AccessDenied: %s%s was refused (%s). Grant the IAM action %s to the role kida-mcp runs as (see examples/iam/), or skip this data.", call, where, msg, action)}
		case throttleCodes[code]:
			retried := "after retries"
			if attempts > 0 {
				retried = fmt.Sprintf("after %d attempts", attempts)
			}
			return &tools.Error{Err: err, Msg: fmt.Sprintf("Throttled: AWS throttled %s%s %s (%s). Wait a minute and retry, narrow the window, or lower report concurrency.", call, where, retried, code)}
		case expiredCodes[code]:
			return &tools.Error{Err: err, Msg: fmt.Sprintf("Expired credentials: %s%s failed because the AWS session has expired (%s). Refresh the credentials (e.g. `aws sso login`) and retry.", call, where, code)}
		case badCredCodes[code]:
			return &tools.Error{Err: err, Msg: fmt.Sprintf("Invalid credentials: %s%s was rejected (%s). Check the profile, region and that the access key is active.", call, where, code)}
		case notFoundCodes[code]:
			return &tools.Error{Err: err, Msg: fmt.Sprintf("Not found: %s%s: %s (%s). Check the identifier and region; list_clusters shows what exists.", call, where, msg, code)}
		case subscrCodes[code]:
			return &tools.Error{Err: err, Msg: fmt.Sprintf("Not available: %s%s needs a Business, Enterprise On-Ramp or Enterprise support plan (%s).", call, where, code)}
		case invalidCodes[code]:
			return &tools.Error{Err: err, Msg: fmt.Sprintf("AWS rejected %s%s as invalid: %s (%s).", call, where, msg, code)}
		default:
			return &tools.Error{Err: err, Msg: fmt.Sprintf("AWS error from %s%s%s: %s: %s", call, where, afterAttempts(attempts), code, msg)}
		}
	}
	text := err.Error()
	switch {
	case strings.Contains(text, "failed to retrieve credentials"), strings.Contains(text, "no EC2 IMDS role found"),
		strings.Contains(text, "failed to refresh cached credentials"):
		return &tools.HardError{Err: fmt.Errorf("no AWS credentials found: configure a profile (--profile / AWS_PROFILE), environment credentials or an instance role, or run with --demo")}
	case strings.Contains(text, "connection refused"), strings.Contains(text, "no such host"), strings.Contains(text, "i/o timeout"),
		strings.Contains(text, "connection reset"), strings.Contains(text, "EOF"):
		return &tools.Error{Err: err, Msg: fmt.Sprintf("Network error: %s%s could not reach AWS%s (%s). Check connectivity or the endpoint override, then retry.", call, where, afterAttempts(attempts), networkReason(text))}
	case op != "":
		return &tools.Error{Err: err, Msg: fmt.Sprintf("%s%s failed: %s", call, where, clean(text))}
	}
	return nil
}

// afterAttempts says how often the SDK tried, when it retried (the reader then knows retrying at once is
// unlikely to help).
func afterAttempts(n int) string {
	if n > 1 {
		return fmt.Sprintf(" after %d attempts", n)
	}
	return ""
}

func networkReason(text string) string {
	for _, k := range []string{"connection refused", "no such host", "i/o timeout", "connection reset", "EOF"} {
		if strings.Contains(text, k) {
			return k
		}
	}
	return "network"
}

// clean keeps AWS messages short and free of request ids/signatures.
func clean(s string) string {
	if i := strings.Index(s, "RequestID:"); i >= 0 {
		s = s[:i]
	}
	return tools.Truncate(strings.TrimSpace(strings.TrimRight(strings.TrimSpace(s), ",")), 300)
}
