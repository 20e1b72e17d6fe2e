/**
 * `npm run vendor:flux -- <flux version>`: fetches the controllers of a Flux release listed in
 * components/flux/release.ts from the Go module proxy and keeps what the install needs: each
 * controller's CRDs and manager manifests, and flux2's RBAC and network policies, with the license,
 * and all of it parsed into manifests.json, which the install reads.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { FLUX_CONTROLLERS, FLUX_RELEASES } from "../components/flux/release.js";
import { parseVendoredYaml, VENDORED_JSON } from "../components/flux/vendored-yaml.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const version = process.argv[2];
const release = FLUX_RELEASES[version];
if (!release) {
    console.error(`unknown Flux version ${version}; add it to components/flux/release.ts first (known: ${Object.keys(FLUX_RELEASES).join(", ")})`);
    process.exit(2);
}
const proxy = (process.env.GOPROXY ?? "https://proxy.golang.org").split(/[,|]/).find((p) => p.startsWith("http")) ?? "https://proxy.golang.org";
const work = fs.mkdtempSync(path.join(os.tmpdir(), "vendor-flux-"));
const target = path.join(projectDir, "components/flux/vendor", version);

async function fetchModule(module: string, moduleVersion: string): Promise<string> {
    const url = `${proxy}/${module}/@v/${moduleVersion}.zip`;
    const response = await fetch(url);
    if (!response.ok) {
        throw new Error(`${url}: ${response.status} ${await response.text()}`);
    }
    const zip = path.join(work, `${module.replaceAll("/", "_")}.zip`);
    fs.writeFileSync(zip, Buffer.from(await response.arrayBuffer()));
    const dir = path.join(work, module.replaceAll("/", "_"));
    execFileSync("unzip", ["-q", "-o", zip, "-d", dir]);
    return path.join(dir, `${module}@${moduleVersion}`);
}

function concatYaml(files: string[]): string {
    return files.map((file) => fs.readFileSync(file, "utf8").replace(/^---\n/, "").trimEnd() + "\n").join("---\n");
}

fs.rmSync(target, { recursive: true, force: true });
const sources: string[] = [];
for (const controller of FLUX_CONTROLLERS) {
    const tag = release.controllers[controller];
    const root = await fetchModule(`github.com/fluxcd/${controller}`, tag);
    const out = path.join(target, controller);
    fs.mkdirSync(out, { recursive: true });
    const crdDir = path.join(root, "config/crd/bases");
    const crds = fs.readdirSync(crdDir).filter((f) => f.endsWith(".yaml")).sort().map((f) => path.join(crdDir, f));
    fs.writeFileSync(path.join(out, "crds.yaml"), concatYaml(crds));
    const managerDir = path.join(root, "config/manager");
    fs.writeFileSync(path.join(out, "manager.yaml"), concatYaml(["deployment.yaml", "service.yaml"].map((f) => path.join(managerDir, f)).filter((f) => fs.existsSync(f))));
    sources.push(`- github.com/fluxcd/${controller}@${tag}: config/crd/bases/*.yaml → crds.yaml, config/manager/{deployment,service}.yaml → manager.yaml`);
    if (controller === "source-controller") {
        fs.copyFileSync(path.join(root, "LICENSE"), path.join(target, "LICENSE"));
    }
}
const flux2 = await fetchModule("github.com/fluxcd/flux2/v2", release.distribution);
const distribution = path.join(target, "flux2");
fs.mkdirSync(distribution, { recursive: true });
const rbacDir = path.join(flux2, "manifests/rbac");
fs.writeFileSync(path.join(distribution, "rbac.yaml"), concatYaml(["controller.yaml", "reconciler.yaml", "edit.yaml", "view.yaml"].map((f) => path.join(rbacDir, f))));
const policiesDir = path.join(flux2, "manifests/policies");
fs.writeFileSync(path.join(distribution, "policies.yaml"), concatYaml(["allow-egress.yaml", "allow-scraping.yaml", "allow-webhooks.yaml"].map((f) => path.join(policiesDir, f))));
sources.push(`- github.com/fluxcd/flux2/v2@${release.distribution}: manifests/rbac/{controller,reconciler,edit,view}.yaml → flux2/rbac.yaml, manifests/policies/*.yaml → flux2/policies.yaml`);
fs.writeFileSync(path.join(target, VENDORED_JSON), `${JSON.stringify(parseVendoredYaml(target))}\n`);
fs.writeFileSync(
    path.join(target, "SOURCE.md"),
    `# Flux ${version}, vendored\n\nCopied unmodified from the Go module proxy by \`npm run vendor:flux -- ${version}\`. Licensed under the Apache License 2.0 (LICENSE).\n\n${sources.join("\n")}\n\n${VENDORED_JSON} is all of the YAML above, parsed (the install reads it: no YAML parser on the way to the first resource).\n`,
);
fs.rmSync(work, { recursive: true, force: true });
console.log(`vendored Flux ${version} into ${path.relative(projectDir, target)}`);
