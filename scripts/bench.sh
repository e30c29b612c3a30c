#!/usr/bin/env bash
# make bench: how fast Terraform runs with this provider, next to providers
# that make no API calls (terraform-provider-random v3.9.0 and the built-in
# terraform_data), on this machine.
#
# It builds the provider and the server, starts a server on a free loopback
# port with a data directory of its own, creates BENCH_N objects of each kind
# (default 1000), and then runs, paired in one run (keymate, random,
# terraform_data, again and again, BENCH_RUNS times, default 5): plan,
# plan -refresh=false, apply, and a plan against the same data under a
# server limit of 50 requests per second; the applies also against
# terraform_data padded to this provider's state size per object, since
# Terraform rewrites the whole state after each object. It prints, and
# writes as a Markdown table to BENCH_OUT (default ./bench-results.md), the
# median and the min-max of each ratio, the requests of each plan and its
# 429s (from the server's /metrics), the peak RSS of each provider process,
# the server's own figures (go test -bench HTTP, on SQLite and PostgreSQL),
# and, where PostgreSQL's server binaries are installed, an apply and a plan
# of 1000 keys against one server on SQLite and against two replicas on
# PostgreSQL (go test -bench ApplyOfKeys). BENCHMARKS.md quotes that table.
#
# Everything talks to 127.0.0.1 only: no terraform init, no registry, no
# checkpoint. The user's CLI configuration is never read.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
N=${BENCH_N:-1000}
RUNS=${BENCH_RUNS:-5}
OUT=${BENCH_OUT:-$root/bench-results.md}
MIXED=${BENCH_MIXED:-200}

for tool in terraform curl go; do
  command -v "$tool" >/dev/null || { echo "bench: $tool is required on PATH" >&2; exit 1; }
done

work=$(mktemp -d "${TMPDIR:-/tmp}/keymate-bench.XXXXXX")
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; wait "$pid" 2>/dev/null || true; done
  rm -rf "$work"
}
trap cleanup EXIT
say() { printf '\033[1m==> %s\033[0m\n' "$*" >&2; }

# --- Binaries -----------------------------------------------------------------
# Each provider runs behind a wrapper that records its peak RSS (KiB) and its
# CPU seconds (user, system), one line per process, in the file
# BENCH_RSS_FILE names.
say "Building the provider and the server"
mkdir -p "$work/real" "$work/rss" "$work/override/keymate" "$work/override/random"
go build -o "$work/real/terraform-provider-keymate" .
go build -o "$work/keymate-server" ./cmd/keymate-server
wrap() { # wrap NAME REAL_BINARY DIR
  cat >"$3/terraform-provider-$1" <<SH
#!/usr/bin/env bash
exec /usr/bin/time -a -o "\${BENCH_RSS_FILE:-/dev/null}" -f "%M %U %S" "$2" "\$@"
SH
  chmod +x "$3/terraform-provider-$1"
}
wrap keymate "$work/real/terraform-provider-keymate" "$work/override/keymate"

# The random provider's build script lies beside the repository's root (the
# main checkout's, when this is a git worktree of it).
common=$(git rev-parse --path-format=absolute --git-common-dir 2>/dev/null || echo "$root/.git")
random_build=$(dirname "$common")/../shared/tools/random-provider/build.sh
kinds_compared=(keymate data)
if [ -x "$random_build" ]; then
  wrap random "$("$random_build")/terraform-provider-random" "$work/override/random"
  kinds_compared=(keymate random data)
else
  echo "bench: $random_build is absent: comparing against terraform_data only" >&2
fi

cat >"$work/terraformrc" <<RC
provider_installation {
  dev_overrides {
    "keymate/keymate"  = "$work/override/keymate"
    "hashicorp/random" = "$work/override/random"
  }
  direct {}
}
RC
export TF_CLI_CONFIG_FILE=$work/terraformrc TF_IN_AUTOMATION=1 CHECKPOINT_DISABLE=1
unset TF_LOG TF_LOG_PROVIDER TF_LOG_CORE TF_LOG_PATH

# --- Servers --------------------------------------------------------------------
# Two servers on one database: one unthrottled, one limited to 50 requests a
# second, so that plans against either are paired. Jobs are out of the way.
export KEYMATE_BOOTSTRAP_API_KEY="km_bench_$(head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n')"
export KEYMATE_API_KEY=$KEYMATE_BOOTSTRAP_API_KEY
head -c 32 /dev/urandom | od -An -tx1 | tr -d ' \n' >"$work/backup.key"
start_server() { # start_server NAME RATE BURST: starts a server and sets $NAME to its endpoint
  "$work/keymate-server" --listen 127.0.0.1:0 --data-dir "$work/data" --rate-limit "$2" --rate-burst "$3" \
    --metrics-public --alert-eval-interval 10000h --backup-check-interval 10000h \
    --backup-encryption-key-file "$work/backup.key" >"$work/$1.log" 2>&1 &
  pids+=($!) # in this shell, not a subshell, so that cleanup stops it
  local endpoint=""
  for _ in $(seq 1 200); do
    endpoint=$(grep -oE 'http://127\.0\.0\.1:[0-9]+' "$work/$1.log" | head -n1 || true)
    if [ -n "$endpoint" ] && curl -fsS "$endpoint/healthz" >/dev/null 2>&1; then printf -v "$1" '%s' "$endpoint"; return; fi
    sleep 0.05
  done
  echo "bench: server $1 did not start" >&2; cat "$work/$1.log" >&2; exit 1
}
say "Starting the servers"
start_server fast 100000 100000
start_server slow 50 50
export KEYMATE_ENDPOINT=$fast

# requests ENDPOINT: every API request the server has answered, and its 429s.
requests() {
  curl -fsS "$1/metrics" | awk '/^keymate_http_requests_total/ && $0 !~ /route="GET \/metrics"|route="\/metrics"/ {
      n += $NF; if ($0 ~ /status="429"/) t += $NF } END { printf "%d %d\n", n, t }'
}

# --- Configurations -----------------------------------------------------------
header='terraform {
  required_providers {
    keymate = { source = "keymate/keymate" }
    random  = { source = "hashicorp/random" }
  }
}
'
resource() { # resource KIND COUNT PREFIX: HCL of COUNT objects of KIND
  case $1 in
  keymate) printf 'resource "keymate_api_key" "k" {\n  count  = %d\n  name   = "%s-key-${count.index}"\n  scopes = ["keys:read"]\n}\n' "$2" "$3" ;;
  random) printf 'resource "random_id" "r" {\n  count       = %d\n  byte_length = 8\n}\n' "$2" ;;
  data) printf 'resource "terraform_data" "d" {\n  count = %d\n  input = "%s-${count.index}"\n}\n' "$2" "$3" ;;
  sized) printf 'resource "terraform_data" "d" {\n  count = %d\n  input = "%s%s-${count.index}"\n}\n' "$2" "$PAD" "$3" ;;
  channel) printf 'resource "keymate_notification_channel" "c" {\n  count = %d\n  name  = "%s-channel-${count.index}"\n  type  = "email"\n  email = { addresses = ["ops@example.com"] }\n}\n' "$2" "$3" ;;
  rule) printf 'resource "keymate_alert_rule" "r" {\n  count    = %d\n  name     = "%s-rule-${count.index}"\n  severity = "info"\n  metric   = "api.error_rate"\n  condition = {\n    operator  = "gte"\n    threshold = 0.5\n    window    = "15m"\n  }\n}\n' "$2" "$3" ;;
  grant) printf 'resource "keymate_access_grant" "g" {\n  count         = %d\n  principal     = { type = "user", id = "%s-user-${count.index}" }\n  role          = "viewer"\n  resource      = "*"\n  justification = "benchmark"\n}\n' "$2" "$3" ;;
  schedule) printf 'resource "keymate_backup_schedule" "s" {\n  count          = %d\n  name           = "%s-schedule-${count.index}"\n  cron           = "0 3 * * *"\n  retention_days = 30\n  include        = ["api_keys"]\n  destination    = "%s-${count.index}"\n  encrypt        = true\n}\n' "$2" "$3" "$3" ;;
  esac
}
workspace() { # workspace DIR KIND COUNT PREFIX [KIND COUNT PREFIX ...]
  local dir=$work/ws/$1; shift
  mkdir -p "$dir"
  { echo "$header"; while [ $# -gt 0 ]; do resource "$1" "$2" "$3"; shift 3; done; } >"$dir/main.tf"
  echo "$dir"
}
tf() { terraform -chdir="$1" "${@:2}" -input=false -no-color >"$work/last.log" 2>&1 || { cat "$work/last.log" >&2; exit 1; }; }

# --- Setup (not measured) -------------------------------------------------------
say "Creating $N objects of each kind and a mixed account ($MIXED each of four kinds)"
for kind in "${kinds_compared[@]}" channel rule grant schedule; do
  tf "$(workspace "$kind" "$kind" "$N" bench)" apply -auto-approve -parallelism=10
done
tf "$(workspace mixed channel "$MIXED" mixed rule "$MIXED" mixed grant "$MIXED" mixed schedule "$MIXED" mixed)" apply -auto-approve

# Terraform's local backend rewrites the whole state file after each object it
# applies, so an apply costs more the larger each object's state. "sized" is
# terraform_data padded to a key's state size (its input is stored twice, as
# input and output): the apply of a provider that makes no API calls, with
# this provider's state.
state_bytes() { echo $(($(wc -c <"$work/ws/$1/terraform.tfstate") / N)); }
PAD=$(printf '%*s' $(((($(state_bytes keymate) - $(state_bytes data)) / 2))) '' | tr ' ' x)

# --- Measurements ---------------------------------------------------------------
# measure LABEL KIND ENDPOINT DIR ARGS...: times one terraform command and
# records in $work/results one line: label kind run seconds requests 429s
# rss_kib provider_cpu_seconds (the requests the server answered meanwhile,
# the largest peak RSS of the provider processes and their CPU time).
run=0
measure() {
  local label=$1 kind=$2 endpoint=$3 dir=$4; shift 4
  local before after rssfile=$work/rss/$label-$kind-$run
  before=$(requests "$endpoint")
  local t0 t1
  t0=$(date +%s%N)
  KEYMATE_ENDPOINT=$endpoint BENCH_RSS_FILE=$rssfile tf "$dir" "$@"
  t1=$(date +%s%N)
  after=$(requests "$endpoint")
  read -r b_n b_t <<<"$before"
  read -r a_n a_t <<<"$after"
  local rss_cpu="0 0"
  [ -s "$rssfile" ] && rss_cpu=$(awk '$1 ~ /^[0-9]+$/ { if ($1 > m) m = $1; c += $2 + $3 } END { printf "%d %.2f", m, c }' "$rssfile")
  echo "$label $kind $run $(awk -v a="$t0" -v b="$t1" 'BEGIN { printf "%.3f", (b - a) / 1e9 }') $((a_n - b_n)) $((a_t - b_t)) $rss_cpu" >>"$work/results"
}

# Every plan first, so that the applies (which add objects) leave the
# account the plans read unchanged; then the applies, each into a fresh
# working directory.
say "Measuring plans, paired, $RUNS runs"
for run in $(seq 1 "$RUNS"); do
  for kind in "${kinds_compared[@]}"; do measure plan "$kind" "$fast" "$work/ws/$kind" plan -parallelism=10; done
  for kind in "${kinds_compared[@]}"; do measure plan-norefresh "$kind" "$fast" "$work/ws/$kind" plan -refresh=false; done
  measure plan-throttled keymate "$slow" "$work/ws/keymate" plan
  for kind in channel rule grant schedule; do measure plan-kind "$kind" "$fast" "$work/ws/$kind" plan; done
  measure plan-mixed mixed "$fast" "$work/ws/mixed" plan
done
say "Measuring applies, paired, $RUNS runs"
for run in $(seq 1 "$RUNS"); do
  for kind in "${kinds_compared[@]}" sized; do
    measure apply "$kind" "$fast" "$(workspace "apply-$kind-$run" "$kind" "$N" "apply$run")" apply -auto-approve
  done
done

# --- Report ---------------------------------------------------------------------
# stat LABEL KIND COLUMN: median, min and max of a column over the runs.
stat() {
  awk -v l="$1" -v k="$2" -v c="$3" '$1 == l && $2 == k { print $c }' "$work/results" | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) { print "- - -"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2; print m, v[1], v[NR] }'
}
# ratio LABEL A LABEL2 B: median and min-max of A's seconds over B's, run by run.
ratio() {
  join <(awk -v l="$1" -v k="$2" '$1 == l && $2 == k { print $3, $4 }' "$work/results" | sort) \
    <(awk -v l="$3" -v k="$4" '$1 == l && $2 == k { print $3, $4 }' "$work/results" | sort) |
    awk '{ print $2 / $3 }' | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) { print "-"; exit } m = (NR % 2) ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2
      printf "**%.2fx** (%.2f-%.2f)\n", m, v[1], v[NR] }'
}
secs() { read -r m _ <<<"$(stat "$1" "$2" 4)"; [ "$m" = - ] && echo - || printf '%.2f s' "$m"; }
mib() { read -r m _ <<<"$(stat "$1" "$2" 7)"; [ "$m" = - ] && echo - || awk -v k="$m" 'BEGIN { printf "%.0f MiB", k / 1024 }'; }
cpu() { read -r m _ <<<"$(stat "$1" "$2" 8)"; [ "$m" = - ] && echo - || printf '%.2f s' "$m"; }
maxcol() { awk -v l="$1" -v k="$2" -v c="$3" '$1 == l && $2 == k && $c > m { m = $c } END { print m + 0 }' "$work/results"; }
base=random
[[ " ${kinds_compared[*]} " == *" random "* ]] || base=data

say "Go benchmarks: the server over HTTP, the client's coalesced reads"
serverbench=$(go test -run '^$' -bench 'HTTP' -benchtime 4000x ./internal/server/ 2>/dev/null | grep '^BenchmarkHTTP' || true)
clientbench=$(go test -run '^$' -bench 'Refresh' -benchtime 5x ./internal/client/ 2>/dev/null | grep '^BenchmarkRefresh' || true)
# PostgreSQL (issue 17): Terraform against one server on SQLite and two
# replicas on one PostgreSQL behind a round-robin balancer (BenchmarkApplyOfKeys,
# each engine's database a throwaway one of its own), when the machine has
# PostgreSQL's server binaries.
replicabench=""
if compgen -G '/usr/lib/postgresql/*/bin/initdb' >/dev/null || command -v initdb >/dev/null; then
  say "Terraform against SQLite and against two replicas on PostgreSQL: apply and plan of 1000 keys, $RUNS runs"
  replicabench=$(TF_ACC=1 go test -run '^$' -bench ApplyOfKeys -benchtime 1x -count "$RUNS" -timeout 60m ./internal/provider/ 2>&1 |
    grep '^BenchmarkApplyOfKeys' || true)
else
  echo "bench: no PostgreSQL server binaries: the PostgreSQL figures are left out" >&2
fi
rb() { # rb ENGINE UNIT: the median and the min-max of one figure of BenchmarkApplyOfKeys
  echo "$replicabench" | awk -v n="/$1" -v u="$2" 'index($1, n) { for (i = 2; i < NF; i++) if ($(i + 1) == u) print $i }' | sort -g |
    awk '{ v[NR] = $1 } END { if (NR == 0) print "-"; else printf "%.1f s (%.1f-%.1f)\n", v[int((NR + 1) / 2)], v[1], v[NR] }'
}
cb() { echo "$clientbench" | awk -v n="$1" 'index($1, n) { for (i = 2; i < NF; i++) if ($(i + 1) == "requests/op") print $i }' | head -n1; }
cbms() { echo "$clientbench" | awk -v n="$1" 'index($1, n) { for (i = 2; i < NF; i++) if ($(i + 1) == "ns/op") printf "%.0f", $i / 1e6 }' | head -n1; }
sb() { # sb NAME UNIT: a metric of one server benchmark line
  echo "$serverbench" | awk -v n="$1" -v u="$2" 'index($1, n) { for (i = 2; i < NF; i++) if ($(i + 1) == u) print $i }' | head -n1
}

{
  echo "Measured $(date -u '+%Y-%m-%d %H:%M UTC') on $(uname -sm), $(nproc) cores ($(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ *//')),"
  echo "load average before the run: ${BENCH_LOAD:-$(cut -d' ' -f1-3 /proc/loadavg)}; $(terraform version | head -n1); N=$N, $RUNS paired runs."
  echo
  echo "| Figure | keymate | random | terraform_data | keymate / $base (median, min-max) | keymate / terraform_data | Target |"
  echo "|---|---|---|---|---|---|---|"
  for l in plan plan-norefresh apply; do
    case $l in plan) name="\`plan\`, $N objects" target="<= 1.3x" ;; plan-norefresh) name="\`plan -refresh=false\`" target="<= 1.2x" ;; apply) name="\`apply\` of $N" target="<= 1.5x" ;; esac
    echo "| $name | $(secs $l keymate) | $(secs $l random) | $(secs $l data) | $(ratio $l keymate $l $base) | $(ratio $l keymate $l data) | $target |"
  done
  echo "| \`apply\` of $N, against \`terraform_data\` of the same state size ($(state_bytes keymate) bytes an object) | $(secs apply keymate) | - | $(secs apply sized) | - | $(ratio apply keymate apply sized) | - |"
  echo "| State per object | $(state_bytes keymate) bytes | $([ -f "$work/ws/random/terraform.tfstate" ] && echo "$(state_bytes random) bytes" || echo -) | $(state_bytes data) bytes | - | - | - |"
  echo "| Provider CPU (plan) | $(cpu plan keymate) | $(cpu plan random) | - | - | - | - |"
  echo "| Provider CPU (apply) | $(cpu apply keymate) | $(cpu apply random) | - | - | - | - |"
  echo "| Provider peak RSS (plan) | $(mib plan keymate) | $(mib plan random) | - | $(awk -v a="$(stat plan keymate 7 | cut -d' ' -f1)" -v b="$(stat plan random 7 | cut -d' ' -f1)" 'BEGIN { if (b > 0) printf "%.2fx", a / b; else print "-" }') | - | <= 1.1x |"
  echo "| Plan under a 50 req/s limit | $(secs plan-throttled keymate) | - | - | $(ratio plan-throttled keymate plan keymate) of the unthrottled plan; $(maxcol plan-throttled keymate 6) responses of 429 at most | - | <= 1.15x, no 429 |"
  echo
  echo "| Requests per plan (most in any run) | Requests | Target |"
  echo "|---|---|---|"
  echo "| $N \`keymate_api_key\` | $(maxcol plan keymate 5) | <= 15 |"
  for kind in channel rule grant schedule; do echo "| $N $kind | $(maxcol plan-kind $kind 5) | <= 15 |"; done
  echo "| Mixed: $MIXED each of channel, rule, grant, schedule | $(maxcol plan-mixed mixed 5) | <= 12 |"
  echo "| \`plan -refresh=false\`, $N keys | $(maxcol plan-norefresh keymate 5) | - |"
  echo
  echo "| Server (\`go test -bench HTTP\`, loopback) | Figure | Target |"
  echo "|---|---|---|"
  echo "| \`POST /v1/api-keys\` at c=32 | p99 $(sb POST_api-keys/c=32 p99-ms) ms, max $(sb POST_api-keys/c=32 max-ms) ms, $(sb POST_api-keys/c=32 req/s) req/s | p99 <= 25 ms, max <= 250 ms |"
  echo "| \`POST /v1/api-keys\` at c=8 | p99 $(sb POST_api-keys/c=8 p99-ms) ms, max $(sb POST_api-keys/c=8 max-ms) ms, $(sb POST_api-keys/c=8 req/s) req/s | - |"
  if [ -n "$(sb POST_api-keys/postgres/c=32 p99-ms)" ]; then # the postgres cases skip without PostgreSQL
    echo "| \`POST /v1/api-keys\` at c=32, PostgreSQL | p99 $(sb POST_api-keys/postgres/c=32 p99-ms) ms, max $(sb POST_api-keys/postgres/c=32 max-ms) ms, $(sb POST_api-keys/postgres/c=32 req/s) req/s | p99 <= 25 ms |"
    echo "| \`GET /v1/api-keys/{id}\` at c=32, PostgreSQL | $(sb GET_api-key/postgres/c=32 req/s) req/s, p99 $(sb GET_api-key/postgres/c=32 p99-ms) ms | - |"
  fi
  echo "| \`GET /v1/api-keys/{id}\` at c=8 | $(sb GET_api-key/c=8 req/s) req/s, p99 $(sb GET_api-key/c=8 p99-ms) ms | >= 6000 req/s |"
  echo "| Client: 1000 keys read at parallelism 10 (\`go test -bench Refresh\`) | one GET each: $(cb Refresh/get) requests, $(cbms Refresh/get) ms; coalesced: $(cb Refresh/refresh) requests, $(cbms Refresh/refresh) ms | - |"
  if [ -n "$replicabench" ]; then
    echo
    echo "| 1000 keys, Terraform (median, min-max of $RUNS runs) | one server, SQLite | two replicas, PostgreSQL |"
    echo "|---|---|---|"
    echo "| \`apply\` | $(rb sqlite apply-s) | $(rb postgres-2-replicas apply-s) |"
    echo "| \`plan\` | $(rb sqlite plan-s) | $(rb postgres-2-replicas plan-s) |"
  fi
} >"$OUT"
cat "$OUT"
echo >&2
echo "bench: raw figures (label kind run seconds requests 429s rss_kib provider_cpu_s):" >&2
cat "$work/results" >&2
