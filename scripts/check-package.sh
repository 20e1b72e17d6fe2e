#!/usr/bin/env bash
# `npm run check:package`: what another stack gets from `npm install`. Builds and packs the library,
# installs the tarball into a scratch ES-module project, type-checks a consumer against the shipped
# .d.ts files and runs it, so the exports map, the types and the vendored Flux files are all proven.
set -euo pipefail
cd "$(dirname "$0")/.."
project="$PWD"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

npm run build --silent
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -1)
cd "$scratch"
cat > package.json <<'EOF'
{ "name": "consumer-stack", "private": true, "type": "module" }
EOF
npm install --silent --no-audit --no-fund "./$tarball" "typescript@$(node -p "require('$project/node_modules/typescript/package.json').version")" "@types/node@$(node -p "require('$project/node_modules/@types/node/package.json').version")"
cat > tsconfig.json <<'EOF'
{ "compilerOptions": { "module": "nodenext", "moduleResolution": "nodenext", "target": "ES2022", "strict": true, "skipLibCheck": true, "outDir": "out", "types": ["node"] }, "include": ["consumer.ts"] }
EOF
cat > consumer.ts <<'EOF'
import { buildFluxInstall, EksCluster, fluxInstallOptions, GitOpsPlatform, type EksClusterArgs } from "eks-flux-gitops";

const args: EksClusterArgs = { vpcId: "vpc-0123", privateSubnetIds: ["subnet-0123"], kubernetesVersion: "1.34" };
const install = buildFluxInstall(fluxInstallOptions({ imageAutomation: true }));
const deployments = install.objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name);
if (typeof EksCluster !== "function" || typeof GitOpsPlatform !== "function" || deployments.length !== 6 || install.crds.length === 0) {
    throw new Error(`unexpected package contents: ${JSON.stringify({ deployments, crds: install.crds.length, args })}`);
}
console.log(`package ok: ${deployments.length} controller Deployments, ${install.crds.length} CRDs from the installed package`);
EOF
npx tsc -p tsconfig.json
node out/consumer.js
