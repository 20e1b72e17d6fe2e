#!/usr/bin/env bash
# Checks an offline plan with real tools: the overlay Flux applies must render with kustomize (built
# from its Go module into the git-ignored .cache/), and every rendered object and every manifest the
# stack applies must validate against its Kubernetes schema.
set -euo pipefail
cd "$(dirname "$0")/.."
plan=${1:-plan}
version=v5.8.1
bin=.cache/tools/kustomize-$version
if [ ! -x "$bin" ]; then
  mkdir -p .cache/tools
  GOBIN="$PWD/.cache/tools/gobin" GOFLAGS=-mod=mod go install "sigs.k8s.io/kustomize/kustomize/v5@$version"
  mv .cache/tools/gobin/kustomize "$bin"
fi
overlay=$(node --input-type=module -e "
  const r = JSON.parse((await import('node:fs')).readFileSync('$plan/resources.json','utf8'));
  const k = r.find((x) => x.type === 'kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization');
  console.log(k.inputs.spec.path.replace(/^\.\//, ''));")
mkdir -p "$plan/rendered"
"$bin" build "$plan/repo/$overlay" > "$plan/rendered/$(echo "$overlay" | tr / _).yaml"
echo "kustomize $version: $plan/repo/$overlay renders $(grep -c '^kind:' "$plan/rendered/"*.yaml) objects"
npx tsx scripts/validate-manifests.ts "$plan/manifests" "$plan/rendered"
