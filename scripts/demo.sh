#!/usr/bin/env bash
# make demo: the security guide as Terraform, in about half a minute. It starts
# a Keymate server on a free loopback port with a fresh data dir, installs the
# provider into a HOME of the demo's own (Terraform finds it there as a user's
# `make install` would, with no CLI configuration and no development
# override), applies examples/quickstart, shows a plan-time guide check with
# its control id, the live account's compliance report, drift caught and
# undone, destroys everything and ends with a summary. Touches nothing outside
# ./.demo: the user's ~/.terraformrc and ~/.terraform.d are never read or
# changed. Colour only when stdout is a terminal (and NO_COLOR is unset).
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
demo=$root/.demo

for tool in terraform curl; do
  command -v "$tool" >/dev/null || { echo "demo: $tool is required on PATH" >&2; exit 1; }
done

bold='' reset=''
if [ -t 1 ] && [ -z "${NO_COLOR:-}" ]; then
  bold=$'\033[1m' reset=$'\033[0m'
fi
step() { printf '\n%s==> %s%s\n' "$bold" "$*" "$reset"; }
say() { printf '    %s\n' "$@"; }
fail() { echo "demo: $*" >&2; exit 1; }

rm -rf "$demo"
mkdir -p "$demo/data" "$demo/home" "$demo/work" "$demo/report"

# The provider, installed into the demo's HOME: ~/.terraform.d/plugins there is
# Terraform's implied local mirror.
make -s --no-print-directory install PLUGINS="$demo/home/.terraform.d/plugins" >/dev/null

# Terraform runs with the demo's HOME and none of the caller's TF_* settings.
while IFS= read -r name; do unset "$name"; done < <(compgen -e | grep '^TF_' || true)
export HOME=$demo/home TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
tf() { terraform "$@" -no-color; }

# A bootstrap admin key, a backup encryption key and a webhook signing secret
# that exist only for this run.
random_hex() { head -c "$1" /dev/urandom | od -An -tx1 | tr -d ' \n'; }
export KEYMATE_BOOTSTRAP_API_KEY="km_demo_$(random_hex 32)"
random_hex 32 >"$demo/backup.key"
export TF_VAR_security_webhook_signing_secret="whsec_$(random_hex 24)"

# The quickstart's webhook points at security.example.com, which the demo must
# never contact: alert rules are evaluated once an hour, long after the demo ends.
"$root/bin/keymate-server" --listen 127.0.0.1:0 --data-dir "$demo/data" \
  --backup-encryption-key-file "$demo/backup.key" --alert-eval-interval 1h >"$demo/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT
endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$demo/server.log" | head -n1 || true)
  if [ -n "$endpoint" ] && curl -fsS "$endpoint/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$demo/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$endpoint" ] || { cat "$demo/server.log" >&2; fail "the server did not start"; }
export KEYMATE_ENDPOINT=$endpoint KEYMATE_API_KEY=$KEYMATE_BOOTSTRAP_API_KEY
unset KEYMATE_BOOTSTRAP_API_KEY
printf '%sKeymate demo%s: keymate-server on %s, keymate/keymate %s from the local mirror, state in .demo/\n' \
  "$bold" "$reset" "$endpoint" "$(cat VERSION)"

step "1. terraform apply examples/quickstart: a small account that follows the guide"
cp "$root"/examples/quickstart/*.tf "$demo/work/"
cd "$demo/work"
tf init -input=false >"$demo/init.log" 2>&1 || { cat "$demo/init.log" >&2; fail "terraform init failed"; }
tf apply -auto-approve -input=false >"$demo/apply.log" 2>&1 || { cat "$demo/apply.log" >&2; fail "terraform apply failed"; }
sed -nE 's/^(keymate_[a-z_]+\.[a-z_]+): Creation complete.*\[id=(.*)\]$/  + \1 (\2)/p' "$demo/apply.log"
grep '^Apply complete' "$demo/apply.log"
created=$(grep -c ': Creation complete' "$demo/apply.log" || true)

step "2. The guide at plan time: someone adds a key that rotates once a year"
cat >legacy.tf <<'HCL'
resource "keymate_api_key" "legacy_batch" {
  name          = "legacy-batch"
  scopes        = ["keys:read"]
  rotation_days = 365
}
HCL
say 'legacy.tf: resource "keymate_api_key" "legacy_batch" { ... rotation_days = 365 }' 'terraform plan:'
tf plan -input=false >"$demo/policy.log" 2>&1 || { cat "$demo/policy.log" >&2; fail "the plan with legacy.tf failed"; }
warning=$(sed -n 's/^Warning: \(KM-[A-Z]*-[0-9]*\):.*/\1/p' "$demo/policy.log" | head -n1)
[ -n "$warning" ] || { cat "$demo/policy.log" >&2; fail "the plan gave no policy warning"; }
# The warning's summary, the offending line and the first line of its detail.
sed -n "/^Warning: $warning/,/^Remediation/p" "$demo/policy.log" | grep -vE '^ *$|^  with ' | sed 's/^/    /'
if KEYMATE_POLICY=enforce tf plan -input=false >"$demo/enforce.log" 2>&1; then
  fail "the plan under KEYMATE_POLICY=enforce did not fail"
fi
say "With KEYMATE_POLICY=enforce (as in CI) the same plan fails: $(grep -m1 "^Error: $warning" "$demo/enforce.log")"
rm legacy.tf

step "3. The compliance report of the live account, read by Terraform (keymate_compliance_report)"
cat >"$demo/report/main.tf" <<'HCL'
terraform {
  required_providers {
    keymate = {
      source  = "keymate/keymate"
      version = ">= 0.1.0"
    }
  }
}

data "keymate_compliance_report" "account" {
  min_severity = "warning"
}

locals {
  report = data.keymate_compliance_report.account
}

output "report" {
  value = join("\n", concat(
    [format("%s: %d critical and %d warning findings", local.report.passed ? "PASSED" : "FINDINGS", local.report.counts.critical, local.report.counts.warning)],
    [for f in local.report.findings : "  ${f.control_id} [${f.severity}] ${join(" ", compact([f.object_type, f.object_name]))}: ${f.message}"],
  ))
}
HCL
(
  cd "$demo/report"
  tf init -input=false >"$demo/report-init.log" 2>&1 || { cat "$demo/report-init.log" >&2; fail "terraform init (report) failed"; }
  tf apply -auto-approve -input=false >"$demo/report.log" 2>&1 || { cat "$demo/report.log" >&2; fail "terraform apply (report) failed"; }
  tf output -raw report
) | tee "$demo/report.txt" | sed 's/^/    /'
echo
findings=$(sed -n '1s/.*: \([0-9]*\) critical and \([0-9]*\) warning.*/\1 critical, \2 warning/p' "$demo/report.txt")

key_id=$(tf output -raw payments_key_id)
step "4. Drift: someone widens payments-service's scopes through the API, behind Terraform's back"
curl -fsS -X PATCH "$endpoint/v1/api-keys/$key_id" \
  -H "Authorization: Bearer $KEYMATE_API_KEY" -H 'Content-Type: application/json' \
  -d '{"scopes":["keys:read","alerts:read","keys:write"],"description":"changed by hand"}' >/dev/null
say "PATCH /v1/api-keys/$key_id: scopes += keys:write, description changed" 'terraform plan -detailed-exitcode:'
set +e
tf plan -detailed-exitcode -input=false >"$demo/drift.log" 2>&1
code=$?
set -e
[ "$code" -eq 2 ] || { cat "$demo/drift.log" >&2; fail "expected the plan to show the drift (exit 2), got exit $code"; }
sed -n '/^  # keymate_api_key.payments/,/^    }/p' "$demo/drift.log" | sed 's/^/  /'
grep '^Plan:' "$demo/drift.log" | sed 's/^/    /'
tf apply -auto-approve -input=false >"$demo/undo.log" 2>&1 || { cat "$demo/undo.log" >&2; fail "terraform apply failed"; }
say "terraform apply: $(grep '^Apply complete' "$demo/undo.log")"
tf plan -detailed-exitcode -input=false >"$demo/plan-after.log" 2>&1 || { cat "$demo/plan-after.log" >&2; fail "the plan after the undo is not empty"; }
say "terraform plan -detailed-exitcode: exit 0, no changes: the account matches the configuration again"

tf destroy -auto-approve -input=false >"$demo/destroy.log" 2>&1 || { cat "$demo/destroy.log" >&2; fail "terraform destroy failed"; }

step "Summary ($SECONDS s)"
say "applied examples/quickstart: $created objects (API keys, an access grant, a backup schedule, a channel, an alert rule)" \
  "plan-time guide check: $warning warned, and failed the plan under KEYMATE_POLICY=enforce" \
  "compliance report of the live account: $findings findings, by control id" \
  "drift: a change made through the API showed in terraform plan and terraform apply undid it" \
  "terraform destroy: $(sed -n 's/^Destroy complete! Resources: \([0-9]*\) destroyed\./\1 objects destroyed/p' "$demo/destroy.log"); the server stops now (log: .demo/server.log)"
