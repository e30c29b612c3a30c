#!/usr/bin/env bash
# Prints the path of an OpenTofu binary, building it once when none is on PATH.
# The build comes from OpenTofu's Go module through the Go module proxy and is
# cached outside the clone, so a fresh clone reuses it.
set -euo pipefail
version=${TOFU_VERSION:-v1.12.6}
if command -v tofu >/dev/null 2>&1; then
  command -v tofu
  exit 0
fi
cache=${XDG_CACHE_HOME:-$HOME/.cache}/terraform-provider-keymate/tofu-$version
bin=$cache/tofu
if [ ! -x "$bin" ]; then
  echo "building OpenTofu $version into $cache (once; a few minutes)" >&2
  dir=$(go mod download -json "github.com/opentofu/opentofu@$version" | sed -n 's/^[[:space:]]*"Dir": "\(.*\)",$/\1/p')
  [ -n "$dir" ] || { echo "could not download github.com/opentofu/opentofu@$version" >&2; exit 1; }
  mkdir -p "$cache"
  (cd "$dir" && CGO_ENABLED=0 GOFLAGS=-mod=mod go build -trimpath -o "$bin.tmp" ./cmd/tofu)
  mv "$bin.tmp" "$bin"
fi
echo "$bin"
