#!/usr/bin/env bash
# Checks an offline plan with real tools: the overlay Flux applies must render with kustomize
# (scripts/kustomize.sh), and every rendered object and every manifest the stack applies must
# validate against its Kubernetes schema.
set -euo pipefail
cd "$(dirname "$0")/.."
plan=${1:-plan}
overlay=$(node --input-type=module -e "
  const r = JSON.parse((await import('node:fs')).readFileSync('$plan/resources.json','utf8'));
  const k = r.find((x) => x.type === 'kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization');
  console.log(k.inputs.spec.path.replace(/^\.\//, ''));")
mkdir -p "$plan/rendered"
bash scripts/kustomize.sh build "$plan/repo/$overlay" > "$plan/rendered/$(echo "$overlay" | tr / _).yaml"
echo "kustomize $(bash scripts/kustomize.sh version): $plan/repo/$overlay renders $(grep -c '^kind:' "$plan/rendered/"*.yaml) objects"
npx tsx scripts/validate-manifests.ts "$plan/manifests" "$plan/rendered"
