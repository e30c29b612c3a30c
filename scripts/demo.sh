#!/usr/bin/env bash
# make demo: start a Keymate server on a free loopback port with a fresh data
# dir, apply examples/quickstart with the locally built provider, show that the
# next plan is empty, change an object behind Terraform's back and show the plan
# catching it, then stop the server. Touches nothing outside ./.demo.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
demo=$root/.demo

for tool in terraform curl; do
  command -v "$tool" >/dev/null || { echo "demo: $tool is required on PATH" >&2; exit 1; }
done

step() { printf '\n\033[1m==> %s\033[0m\n' "$*"; }

rm -rf "$demo"
mkdir -p "$demo/data" "$demo/work"

# A bootstrap admin key that exists only for this demo run.
export KEYMATE_BOOTSTRAP_API_KEY="km_demo_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"

# A backup encryption key and a webhook signing secret, made for this run.
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$demo/backup.key"
export TF_VAR_security_webhook_signing_secret="whsec_$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n')"

step "Starting keymate-server on a free loopback port (data in .demo/data)"
"$root/bin/keymate-server" --listen 127.0.0.1:0 --data-dir "$demo/data" \
  --backup-encryption-key-file "$demo/backup.key" >"$demo/server.log" 2>&1 &
server_pid=$!
trap 'kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true' EXIT

endpoint=""
for _ in $(seq 1 100); do
  endpoint=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$demo/server.log" | head -n1 || true)
  if [ -n "$endpoint" ] && curl -fsS "$endpoint/healthz" >/dev/null 2>&1; then break; fi
  kill -0 "$server_pid" 2>/dev/null || { cat "$demo/server.log" >&2; exit 1; }
  sleep 0.1
done
[ -n "$endpoint" ] || { echo "demo: server did not start" >&2; cat "$demo/server.log" >&2; exit 1; }
echo "server: $endpoint"

# Terraform finds the local provider through a CLI config of the demo's own;
# the user's ~/.terraformrc is never read or changed.
cat >"$demo/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "keymate/keymate" = "$root/bin"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$demo/terraformrc
export TF_IN_AUTOMATION=1
export KEYMATE_ENDPOINT=$endpoint
export KEYMATE_API_KEY=$KEYMATE_BOOTSTRAP_API_KEY
unset KEYMATE_BOOTSTRAP_API_KEY
cp "$root"/examples/quickstart/*.tf "$demo/work/"
cd "$demo/work"

step "terraform apply (examples/quickstart)"
terraform apply -auto-approve -input=false -no-color

step "terraform plan right after apply: expect no changes"
set +e
terraform plan -detailed-exitcode -input=false -no-color >"$demo/plan1.txt" 2>&1
code=$?
set -e
grep -E 'No changes|Plan:' "$demo/plan1.txt" || true
[ "$code" -eq 0 ] || { echo "demo: expected an empty plan, got exit $code" >&2; cat "$demo/plan1.txt" >&2; exit 1; }

key_id=$(terraform output -raw payments_key_id)
step "Out-of-band change: someone widens $key_id's scopes through the API"
curl -fsS -X PATCH "$endpoint/v1/api-keys/$key_id" \
  -H "Authorization: Bearer $KEYMATE_API_KEY" -H 'Content-Type: application/json' \
  -d '{"scopes":["keys:read","alerts:read","keys:write"],"description":"changed by hand"}' >/dev/null
echo "PATCH /v1/api-keys/$key_id: scopes += keys:write"

step "terraform plan: the drift shows as an in-place update back to the configuration"
set +e
terraform plan -detailed-exitcode -input=false -no-color >"$demo/plan2.txt" 2>&1
code=$?
set -e
sed -n '/Terraform will perform/,/Plan:/p' "$demo/plan2.txt"
[ "$code" -eq 2 ] || { echo "demo: expected the plan to show the drift (exit 2), got exit $code" >&2; cat "$demo/plan2.txt" >&2; exit 1; }

step "terraform apply: put it back"
terraform apply -auto-approve -input=false -no-color | grep -E '^(Apply complete|keymate_)' || true
terraform plan -detailed-exitcode -input=false -no-color >/dev/null
echo "plan is empty again"

step "terraform destroy"
terraform destroy -auto-approve -input=false -no-color | grep -E '^Destroy complete' || true

step "Demo complete; stopping the server"
