package relay

import (
	"context"
	"encoding/json"

	"github.com/aws/aws-lambda-go/lambda"
)

// LambdaResult is what the function returns to Lambda (visible in test invocations and destinations).
type LambdaResult struct {
	Handled int      `json:"handled"`
	Sent    int      `json:"sent"`
	Dropped int      `json:"dropped"`
	Unknown int      `json:"unknown"`
	Dupes   int      `json:"duplicates"`
	Summary []string `json:"summary"`
}

// Invoke is the Lambda handler: it relays one payload and fails the invocation (so Lambda retries it)
// only when a send or an archive write failed. Unknown shapes are acknowledged.
func (r *Relay) Invoke(ctx context.Context, payload json.RawMessage) (LambdaResult, error) {
	o, err := r.Handle(ctx, payload)
	if err != nil {
		return LambdaResult{}, err
	}
	var res LambdaResult
	for _, h := range o.Handled {
		res.Handled++
		res.Summary = append(res.Summary, h.Summary)
		switch {
		case h.Unknown != "":
			res.Unknown++
		case h.Dropped:
			res.Dropped++
		}
		res.Dupes += len(h.Duplicates)
		for _, d := range h.Deliveries {
			if d.OK {
				res.Sent++
			}
		}
	}
	return res, o.Err()
}

// StartLambda serves Lambda invocations through the Runtime API (AWS_LAMBDA_RUNTIME_API, set by the
// provided.al2023 runtime) until the process is stopped. It does not return.
func StartLambda(ctx context.Context, r *Relay) {
	lambda.StartWithOptions(r.Invoke, lambda.WithContext(ctx))
}
