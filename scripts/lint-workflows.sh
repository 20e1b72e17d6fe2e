#!/usr/bin/env bash
# Lints .github/workflows with actionlint, built from its Go module into the git-ignored .cache/.
set -euo pipefail
cd "$(dirname "$0")/.."
version=v1.7.12
bin=.cache/tools/actionlint-$version
if [ ! -x "$bin" ]; then
  mkdir -p .cache/tools
  GOBIN="$PWD/.cache/tools/gobin" go install "github.com/rhysd/actionlint/cmd/actionlint@$version"
  mv .cache/tools/gobin/actionlint "$bin"
fi
"$bin" -no-color .github/workflows/*.yml
echo "actionlint $version: $(ls .github/workflows/*.yml | wc -l) workflows clean"
