// Package delivery sends rendered health-check reports where people read them: S3 (upload with
// text/html; charset=utf-8 and optional SSE-S3/SSE-KMS under <prefix>reports/YYYYMMDD/<cluster>.html, then
// a presigned GET whose lifetime is min(configured, 7 days, the signing credentials' expiry)), one SES v2
// email for every cluster (600-px table layout with inline styles, a text part, the links and their real
// expiry), Slack (a Workflow Builder webhook with report_title/report_url per cluster, or one Block Kit
// summary to an incoming webhook, within Slack's limits, mrkdwn escaped) and SNS (ASCII subject < 100
// characters).
//
// Destinations come only from Config, which cmd/kida-mcp builds from kida.yaml: no tool input can name a
// bucket, address, webhook or topic. Webhook URLs are Secrets: redacted in logs, JSON and errors.
// Webhook posts retry 429 after Retry-After and 5xx/network errors with jittered backoff; AWS calls use the
// SDK's standard retryer. Every send returns a Delivery: success with the message id, or the exact failure.
//
// The MCP tools (toolset delivery, readOnly=false) are publish_report, send_report_email, notify_slack and
// publish_sns; each exists only when its destination is configured. Pipeline runs the daily job behind
// `kida-mcp report`: check → render → save → upload → presign per cluster (bounded concurrency), then one
// email, Slack per cluster or one summary, and SNS once; a failed cluster is a row with its reason.
//
// AWS calls: s3:PutObject (and the s3:GetObject the presigned URL carries), ses:SendEmail, sns:Publish.
package delivery
