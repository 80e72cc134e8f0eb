// Package relay is the engine behind `kida-mcp relay`: it turns CloudWatch alarm notifications (SNS-wrapped,
// metric and composite alarms, or EventBridge "CloudWatch Alarm State Change") and RDS events (EventBridge
// source aws.rds for instances, clusters, snapshots, parameter groups…, or RDS event subscriptions through
// SNS) into Slack Block Kit messages and/or emails, routed by rules, de-duplicated, and archived to S3.
//
//	ns, _ := relay.Parse(payload)            // input event → notifications (unknown shapes are KindUnknown)
//	r := relay.New(cfg, relay.Options{Delivery: deliveryDeps, Archive: archive})
//	out, _ := r.Handle(ctx, payload)         // parse → archive → route → de-duplicate → format → send
//	relay.StartLambda(ctx, r)                // the same handler under the Lambda Runtime API
//
// Parsing (event.go) reads the shapes AWS sends and resolves the database from an alarm's dimensions
// (DBInstanceIdentifier, DBClusterIdentifier + Role) or an event's source ARN; automated snapshot names
// ("rds:<cluster>-YYYY-MM-DD-HH-MM") name their cluster. Every notification has a content identity (ID):
// an alarm transition is its alarm, new state and StateChangeTime; an RDS event its time, source and message —
// the same key events.List de-duplicates on — so repeated deliveries, and the same event arriving through two
// subscriptions, are recognised.
//
// Formatting (slack.go, email.go) reuses tools/delivery's Block Kit types, limits and mrkdwn escaping: a
// coloured attachment (red ALARM, green OK, grey INSUFFICIENT_DATA; by category for RDS events) holding a
// header, the state change with local time, the reason, metric and threshold, the database, the alarm
// description, a console button and the latest kida report link (Format.ReportURL). Every text that comes
// from AWS or from the alarm's author is escaped; header text is plain_text.
//
// Routing (config.go): the first route whose filters all match decides the destinations (kinds, alarm
// states and previous states, alarm name globs, RDS categories — kida's groups or RDS's own —, source types,
// database globs); no match → Config.Default (empty: dropped). De-duplication (dedupe.go) remembers each
// (notification, destination, channel) delivered within DedupeWindow; a failed send is not remembered, so
// Lambda's retry sends it.
//
// Secrets (secret.go): webhook URLs come resolved from cmd/kida-mcp (env var or file) or as KMS ciphertext
// decrypted at cold start with an optional encryption context (Decrypt); errors name the likely cause —
// encryption context, kms:Decrypt permission, region — and never the URL.
//
// Archive (archive.go): one JSON Lines object per event under <prefix>YYYY/MM/DD/, written with
// If-None-Match so each event is stored once; Archive also implements events.Archive, which get_rds_events
// reads for the part of a window older than the API's 14 days.
//
// AWS calls: s3:PutObject (archive), s3:ListBucket + s3:GetObject (get_rds_events over the archive),
// kms:Decrypt (cold start), ses:SendEmail (email destinations). Slack goes over HTTPS with delivery's
// retrying webhook poster.
package relay
