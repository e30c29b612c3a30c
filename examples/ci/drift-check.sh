#!/usr/bin/env bash
# drift-check.sh [DIR]: plan the Terraform configuration in DIR (default: the
# current directory, already `terraform init`ed) and print a readable summary:
# the resources Terraform would add, change or destroy (drift), and the
# findings of every keymate_compliance_report data source in it.
#
# Exit status: 0 when the plan is empty, 2 on drift, 1 on any error. With
# KEYMATE_POLICY=enforce a critical compliance finding fails the plan (see the
# postcondition in main.tf), which is an error: 1.
#
# When GITHUB_STEP_SUMMARY is set (GitHub Actions), the summary is also
# appended to it. Needs terraform (or the CLI named by $TERRAFORM, such as
# tofu) and jq.
set -uo pipefail

dir=${1:-.}
tf=${TERRAFORM:-terraform}
for tool in "$tf" jq; do
  command -v "$tool" >/dev/null || { echo "drift-check: $tool is required on PATH" >&2; exit 1; }
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

summary() {
  printf '%s\n' "$@" | tee -a "$work/summary"
}

publish() {
  if [ -n "${GITHUB_STEP_SUMMARY:-}" ]; then
    { echo '```'; cat "$work/summary"; echo '```'; } >>"$GITHUB_STEP_SUMMARY"
  fi
}

"$tf" -chdir="$dir" plan -detailed-exitcode -input=false -no-color -out="$work/tfplan" >"$work/plan.log" 2>&1
status=$?
if [ "$status" -ne 0 ] && [ "$status" -ne 2 ]; then
  cat "$work/plan.log" >&2
  summary "Keymate drift check: ERROR: terraform plan failed (exit $status); see the errors above." \
    "Policy: ${KEYMATE_POLICY:-warn}. Under enforce, a critical compliance finding fails the plan."
  publish
  exit 1
fi

if ! "$tf" -chdir="$dir" show -json -no-color "$work/tfplan" >"$work/plan.json" 2>"$work/show.log"; then
  cat "$work/show.log" >&2
  summary "Keymate drift check: ERROR: terraform show failed."
  publish
  exit 1
fi

# Resource changes other than no-ops and data source reads, as
# "<action> <address>"; a replacement counts as one add and one destroy.
changes=$(jq -r '
  .resource_changes[]? | select(.mode == "managed")
  | .change.actions as $a
  | if $a == ["create"] then "add      \(.address)"
    elif $a == ["update"] then "change   \(.address)"
    elif $a == ["delete"] then "destroy  \(.address)"
    elif ($a | index("create")) and ($a | index("delete")) then "replace  \(.address)"
    else empty end' "$work/plan.json")
count() { printf '%s\n' "$changes" | grep -c "^$1 " || true; }
adds=$(( $(count add) + $(count replace) ))
destroys=$(( $(count destroy) + $(count replace) ))
updates=$(count change)

if [ "$status" -eq 2 ]; then
  summary "Keymate drift check: DRIFT: $adds to add, $updates to change, $destroys to destroy."
  [ -n "$changes" ] && summary "$(printf '%s\n' "$changes" | sed 's/^/  /')"
else
  summary "Keymate drift check: CLEAN: the infrastructure matches the configuration."
fi

# Every compliance report read during the plan lives in the plan's prior
# state (data sources, including those of child modules).
reports=$(jq -c '
  [.prior_state.values.root_module | .. | objects | select(has("resources")) | .resources[]
   | select(.type == "keymate_compliance_report")] | .[]' "$work/plan.json")
if [ -z "$reports" ]; then
  summary "Compliance: no keymate_compliance_report data source in the configuration."
fi
while IFS= read -r report; do
  [ -z "$report" ] && continue
  summary "$(jq -r '"Compliance (\(.address), at or above \(.values.min_severity)): " +
    (if .values.passed then "PASSED" else "FINDINGS" end) +
    "; \(.values.counts.critical) critical, \(.values.counts.warning) warning, \(.values.counts.info) info in all (policy \(.values.policy))."' <<<"$report")"
  findings=$(jq -r '.values.findings[]
    | "  \(.control_id) [\(.severity)] \([.object_type, .object_name] | map(select(. != "")) | join(" ")): \(.message)"' <<<"$report")
  [ -n "$findings" ] && summary "$findings"
done <<<"$reports"

publish
exit "$status"
