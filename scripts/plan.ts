/**
 * The offline plan: `npm run plan -- [--stack prod] [--out DIR] [--show-secrets] [--strict] [--config key=value]`.
 * Runs index.ts with the stack's config under Pulumi's mock mode, prints the resource tree like a
 * preview and writes DIR/resources.json, DIR/manifests/ and DIR/repo/. Nothing is written when the
 * program fails (e.g. on bad config); the process then exits 1.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { stringify } from "yaml";
import { evaluateStack } from "../stack/evaluate.js";
import { loadProjectConfig } from "../stack/project-config.js";
import { kubernetesManifests, planResources, renderTree, repositoryFiles, SECRET_MASK, type PlanFile } from "../stack/plan-report.js";

const PLACEHOLDER_OWNER = "example-owner";
// A documentation address (RFC 5737), standing in for the runner's egress address.
const PLACEHOLDER_DEPLOY_CIDR = "203.0.113.10/32";
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

const { values: flags } = parseArgs({
    options: {
        stack: { type: "string", default: "prod" },
        out: { type: "string", default: "plan" },
        "show-secrets": { type: "boolean", default: false },
        strict: { type: "boolean", default: false },
        quiet: { type: "boolean", default: false },
        config: { type: "string", multiple: true, default: [] },
    },
});

function writeFiles(root: string, files: PlanFile[]): void {
    for (const file of files) {
        const target = path.join(root, file.path);
        if (!target.startsWith(root + path.sep)) {
            throw new Error(`refusing to write ${file.path} outside ${root}`);
        }
        fs.mkdirSync(path.dirname(target), { recursive: true });
        fs.writeFileSync(target, file.content);
    }
}

async function main(): Promise<number> {
    const { project, values } = loadProjectConfig(projectDir, flags.stack!);
    for (const assignment of flags.config!) {
        const [key, ...rest] = assignment.split("=");
        const qualified = key.includes(":") ? key : `${project}:${key}`;
        const raw = rest.join("=");
        let value: unknown = raw;
        try {
            value = JSON.parse(raw);
        } catch {
            // a plain string, as `pulumi config set` stores it
        }
        values[qualified] = value;
    }
    const ownerKey = `${project}:githubOwner`;
    if (!values[ownerKey] && !flags.strict) {
        values[ownerKey] = process.env.GITHUB_OWNER || PLACEHOLDER_OWNER;
        console.log(
            `note: ${ownerKey} is not set for stack ${flags.stack}; planning with "${values[ownerKey]}" ` +
                "(set GITHUB_OWNER or --config githubOwner=...; pulumi up refuses until the stack sets it)",
        );
    }

    const cidrsKey = `${project}:clusterPublicAccessCidrs`;
    const insideKey = `${project}:deployFromInsideVpc`;
    if ((values[cidrsKey] as string[] | undefined)?.length === 0 && values[insideKey] !== true && !flags.strict) {
        values[cidrsKey] = [PLACEHOLDER_DEPLOY_CIDR];
        console.log(
            `note: ${cidrsKey} is empty and ${insideKey} is not true for stack ${flags.stack}; planning with ${PLACEHOLDER_DEPLOY_CIDR} ` +
                "(pulumi up refuses until the stack lists its deploy CIDRs or says it deploys from inside the VPC)",
        );
    }

    const started = Date.now();
    let evaluation;
    try {
        evaluation = await evaluateStack(path.join(projectDir, "index.ts"), project, flags.stack!, values, String(values[ownerKey] ?? ""));
    } catch (error) {
        console.error(`plan failed for stack ${flags.stack}; nothing was written.\n${error instanceof Error ? error.message : String(error)}`);
        // The stack resource's own registration rejects too; exit before Node reports it again.
        process.exit(1);
    }
    const options = { showSecrets: flags["show-secrets"]! };
    const resources = planResources(evaluation.cloud.resources, options);
    const stackResource = resources.find((r) => r.type === "pulumi:pulumi:Stack");
    if (stackResource) {
        // The root resource's inputs are the stack outputs, as `pulumi stack output` shows them.
        stackResource.secretPaths = evaluation.secretOutputs;
    }
    const manifests = kubernetesManifests(evaluation.cloud.resources, options);
    const repo = repositoryFiles(evaluation.cloud.resources);
    const outputs = Object.fromEntries(
        Object.entries(evaluation.outputs).map(([key, value]) => [
            key,
            evaluation.secretOutputs.includes(key) && !options.showSecrets ? SECRET_MASK : value,
        ]),
    );

    const out = path.resolve(projectDir, flags.out!);
    const staging = `${out}.partial-${process.pid}`;
    fs.rmSync(staging, { recursive: true, force: true });
    fs.mkdirSync(staging, { recursive: true });
    if (stackResource) {
        stackResource.inputs = outputs;
    }
    fs.writeFileSync(path.join(staging, "resources.json"), JSON.stringify(resources, null, 2) + "\n");
    fs.writeFileSync(path.join(staging, "outputs.json"), JSON.stringify(outputs, null, 2) + "\n");
    writeFiles(path.join(staging, "manifests"), manifests);
    writeFiles(path.join(staging, "repo"), repo);
    fs.rmSync(out, { recursive: true, force: true });
    fs.renameSync(staging, out);

    if (!flags.quiet) {
        console.log(`Previewing stack ${project}/${flags.stack} offline (mock cloud, nothing is created):\n`);
        console.log(renderTree(resources));
        console.log(`\nOutputs:\n${stringify(outputs, { lineWidth: 0 }).replace(/^/gm, "    ")}`);
    }
    console.log(
        `Resources: ${resources.length} to create; ${manifests.length} Kubernetes objects, ${repo.length} repository files; ` +
            `written to ${path.relative(process.cwd(), out) || "."} in ${Date.now() - started} ms`,
    );
    return 0;
}

process.exitCode = await main();
