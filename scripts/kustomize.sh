#!/usr/bin/env bash
# Runs kustomize with the given arguments: the one build this project uses (check-plan, the preview
# comment, the lab), from its Go module into the git-ignored .cache/tools on first use.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
version=v5.8.1
bin="$root/.cache/tools/kustomize-$version"
if [ ! -x "$bin" ]; then
  mkdir -p "$root/.cache/tools"
  GOBIN="$root/.cache/tools/gobin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$version" >&2
  mv "$root/.cache/tools/gobin/kustomize" "$bin"
fi
exec "$bin" "$@"
