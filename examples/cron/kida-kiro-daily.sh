#!/usr/bin/env bash
# kida-kiro-daily.sh — the agent route: a model writes the day's analysis with kida's read-only tools, and
# kida (not the model) renders, uploads and delivers. Run it from cron like kida-report.cron:
#   0 0 * * *  kida  /usr/local/bin/kida-kiro-daily.sh >> /var/log/kida/kiro-daily.log 2>&1
#
# Compared with the bash script people run today (kiro-cli --trust-all-tools writing its own HTML, then
# aws s3 cp / presign --expires-in 604800 / ses send-email / curl to Slack):
#   - the model is trusted with kida's read-only tools only (no --trust-all-tools, no shell, no file writes);
#   - the report is rendered by code, the same way every day; the model adds its reading of it;
#   - delivery is `kida-mcp report`: right content type, links capped at the credentials' real expiry,
#     a failed cluster is a row with its reason, and the exit status says whether everything went out.
#
# Needs: kiro-cli logged in; the kida MCP server in ~/.kiro/settings/mcp.json (examples/clients/kiro-mcp.json,
# --read-only) and the steering files (`kida-mcp steering install`); /etc/kida/kida.yaml with clusters and
# delivery (examples/kida.yaml).
set -euo pipefail

KIDA=${KIDA:-/usr/local/bin/kida-mcp}
CONFIG=${KIDA_CONFIG:-/etc/kida/kida.yaml}
NOTES_DIR=${NOTES_DIR:-/var/lib/kida/notes/$(date -u +%Y%m%d)}
# Read-only tools the model may call without asking (the server runs with --read-only anyway).
TRUST=@kida/list_clusters,@kida/describe_cluster,@kida/run_health_check,@kida/render_report,@kida/get_instance_metrics,@kida/analyze_metric,@kida/get_rds_events,@kida/get_pending_maintenance,@kida/get_slow_queries,@kida/get_error_log_summary,@kida/get_db_load,@kida/get_alarms,@kida/recommend_alarms,@kida/get_cloudtrail_events,@kida/get_health_events,@kida/get_recommendations

log() { printf '%s %s\n' "$(date -u +%FT%TZ)" "$*"; }
mkdir -p "$NOTES_DIR"

# 1. The model's reading, per cluster (optional: delete this loop and you have the deterministic route).
#    The cluster list comes from kida.yaml, so there is one list to maintain.
mapfile -t CLUSTERS < <(awk '
  function flush() { if (id != "") print id, (r == "" ? "default" : r); id = ""; r = "" }
  /^clusters:/ { c = 1; next }
  c && /^[^ #-]/ { flush(); c = 0 }
  c && /- id:/ { flush(); id = $3 }
  c && /^ +region:/ { r = $2 }
  END { flush() }' "$CONFIG")
for entry in "${CLUSTERS[@]}"; do
  read -r cluster region <<< "$entry"
  where="in region ${region}"
  [ "$region" = default ] && where="in the server's default region"
  log "kiro: analysing ${cluster} (${region})"
  if ! timeout 15m kiro-cli chat --no-interactive --trust-tools="$TRUST" \
      "Daily check of Aurora/RDS cluster ${cluster} ${where} over the last 24 hours, following the daily-report steering: \
call run_health_check once, then render_report with its check_id, and drill down only where the findings point. \
Write a short analysis in Markdown: verdict, root causes with times and instances from the evidence, what to do \
today. Say which data was missing (gaps) instead of guessing." \
      > "${NOTES_DIR}/${cluster}.md" 2>> "${NOTES_DIR}/kiro.log"; then
    log "kiro: ${cluster} failed (see ${NOTES_DIR}/kiro.log); the deterministic report below still covers it"
  fi
done

# 2. Deterministic delivery: check → render → S3 (presigned, expiry capped) → email / Slack / SNS.
#    Exit 0: all delivered; 1: some cluster or send failed (the rest were delivered); 2: bad configuration.
log "kida: report"
set +e
"$KIDA" report --config "$CONFIG" --log-format json
status=$?
set -e
log "kida: report exit ${status}; model notes in ${NOTES_DIR}"
exit "$status"

# Alternative to step 2: let the agent deliver with kida's delivery tools. They can only reach the destinations
# in kida.yaml (no tool input names a bucket, address, webhook or topic), so trusting them is safe — but the
# server must then run without --read-only and with --config:
#   TRUST="$TRUST,@kida/publish_report,@kida/send_report_email,@kida/notify_slack,@kida/publish_sns"
#   kiro-cli chat --no-interactive --trust-tools="$TRUST" "…then publish_report each check_id and \
#     send_report_email with all of them; report any failed send as it was returned."
