#!/usr/bin/env bash
# `npm run check:package`: what another stack gets from `npm install`. Builds and packs the library,
# installs the tarball into a scratch project, then type-checks and runs the same consumer as an
# ES module (`import`) and as CommonJS (`require()`, as Pulumi's default TypeScript template
# compiles to), so the exports map, the types and the vendored Flux files are proven for both.
set -euo pipefail
cd "$(dirname "$0")/.."
project="$PWD"
scratch=$(mktemp -d)
trap 'rm -rf "$scratch"' EXIT

npm run build --silent
tarball=$(npm pack --silent --pack-destination "$scratch" | tail -1)
typescript="typescript@$(node -p "require('$project/node_modules/typescript/package.json').version")"
types_node="@types/node@$(node -p "require('$project/node_modules/@types/node/package.json').version")"

# One install serves both consumers: each is a folder below it with its own package.json "type".
cd "$scratch"
echo '{ "name": "consumers", "private": true }' > package.json
npm install --silent --no-audit --no-fund "./$tarball" "$typescript" "$types_node"

consumer() {
    local kind=$1 type=$2
    mkdir "$scratch/$kind"
    cd "$scratch/$kind"
    printf '{ "type": "%s" }\n' "$type" > package.json
    echo '{ "compilerOptions": { "module": "nodenext", "moduleResolution": "nodenext", "target": "ES2022", "strict": true, "skipLibCheck": true, "outDir": "out", "types": ["node"] }, "include": ["consumer.ts"] }' > tsconfig.json
    cat > consumer.ts <<EOF
import { buildFluxInstall, EksCluster, fluxInstallOptions, GitOpsPlatform, type EksClusterArgs } from "eks-flux-gitops";

const args: EksClusterArgs = { vpcId: "vpc-0123", privateSubnetIds: ["subnet-0123"], kubernetesVersion: "1.34" };
const install = buildFluxInstall(fluxInstallOptions({ imageAutomation: true }));
const deployments = install.objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name);
if (typeof EksCluster !== "function" || typeof GitOpsPlatform !== "function" || deployments.length !== 6 || install.crds.length === 0) {
    throw new Error(\`unexpected package contents: \${JSON.stringify({ deployments, crds: install.crds.length, args })}\`);
}
console.log(\`package ok ($kind): \${deployments.length} controller Deployments, \${install.crds.length} CRDs from the installed package\`);
EOF
    ../node_modules/.bin/tsc -p tsconfig.json
    node out/consumer.js
}

consumer esm module
# Under "type": "commonjs" tsc emits require("eks-flux-gitops"): the package's "require" condition,
# served by Node's require() of ES modules (Node >= 22.12).
consumer cjs commonjs
grep -q 'require("eks-flux-gitops")' "$scratch/cjs/out/consumer.js" || { echo "the CommonJS consumer does not require() the package" >&2; exit 1; }
