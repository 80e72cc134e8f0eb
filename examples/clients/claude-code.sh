#!/bin/sh
# Register kida-mcp with Claude Code for the current user (stdio transport).
# Try it first without an AWS account: replace the args after `--` with `serve --demo`.
claude mcp add kida --scope user \
  --env AWS_PROFILE=dba-readonly \
  -- /usr/local/bin/kida-mcp serve --region ap-northeast-2 --read-only
