#!/usr/bin/env bash
# Runs every Go native fuzz target of the module (a func FuzzX in a _test.go
# file) for the given time each: scripts/fuzz.sh 3s. With --save, the inputs
# the fuzzer found interesting (kept in the Go build cache) are copied into
# each package's testdata/fuzz/FuzzX/, the committed corpus that every
# `go test` replays.
set -euo pipefail
save=false
if [ "${1:-}" = "--save" ]; then
  save=true
  shift
fi
fuzztime=${1:?usage: scripts/fuzz.sh [--save] DURATION}
module=$(go list -m)
cache=$(go env GOCACHE)/fuzz
failed=0
work=$(mktemp -d)
log=$work/log
trap 'rm -rf "$work"' EXIT
for dir in $(git ls-files --cached --others --exclude-standard '*_test.go' | xargs grep -l '^func Fuzz' | xargs -n1 dirname | sort -u); do
  # One instrumented test binary per package, run in the package's
  # directory (where its testdata/fuzz corpus is) once per target, with the
  # cache directory go test would give it: linking it again for each target
  # took longer than a brief run itself.
  bin=$work/$(echo "$dir" | tr / _).test
  go test -c -fuzz=. -o "$bin" "./$dir"
  for target in $(sed -n 's/^func \(Fuzz[A-Za-z0-9_]*\)(f \*testing\.F).*/\1/p' "$dir"/*_test.go); do
    start=$(date +%s)
    if (cd "$dir" && "$bin" -test.run='^$' -test.fuzz="^${target}\$" -test.fuzztime="$fuzztime" \
      -test.fuzzcachedir="$cache/$module/$dir") >"$log" 2>&1; then
      execs=$(grep -o 'execs: [0-9]*' "$log" | tail -1 | cut -d' ' -f2 || true)
      echo "fuzz: $dir $target ran $(( $(date +%s) - start ))s, ${execs:-0} executions"
    else
      cat "$log"
      echo "fuzz: $dir $target FAILED; the failing input is in $dir/testdata/fuzz/$target/" >&2
      failed=1
    fi
    if $save && [ -d "$cache/$module/$dir/$target" ]; then
      mkdir -p "$dir/testdata/fuzz/$target"
      cp -n "$cache/$module/$dir/$target"/* "$dir/testdata/fuzz/$target/"
    fi
  done
done
exit $failed
