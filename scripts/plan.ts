/**
 * The offline plan: `npm run plan -- [--stack prod] [--out DIR] [--show-secrets] [--strict] [--config key=value]
 * [--against DIR [--allow-data-loss]]`. With --against, a change that would replace or delete a
 * data-holding resource of that earlier plan stops the plan, saying what would be lost.
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
import { PLAN_MARKER, planOutputProblem } from "../stack/plan-output.js";
import { configValueProblem, loadProjectConfig } from "../stack/project-config.js";
import { dataLosses } from "../stack/data-loss.js";
import { kubernetesManifests, planResources, renderTree, repositoryFiles, SECRET_MASK, type PlanFile, type PlanResource } from "../stack/plan-report.js";

const PLACEHOLDER_OWNER = "example-owner";
// A documentation address (RFC 5737), standing in for the runner's egress address.
const PLACEHOLDER_DEPLOY_CIDR = "203.0.113.10/32";
const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function fail(message: string): never {
    console.error(`plan: ${message}\nnothing was written.`);
    process.exit(1);
}

function readFlags() {
    try {
        return parseArgs({
            options: {
                stack: { type: "string", default: "prod" },
                out: { type: "string", default: "plan" },
                "show-secrets": { type: "boolean", default: false },
                strict: { type: "boolean", default: false },
                quiet: { type: "boolean", default: false },
                config: { type: "string", multiple: true, default: [] },
                against: { type: "string" },
                "allow-data-loss": { type: "boolean", default: false },
            },
        }).values;
    } catch (error) {
        return fail(`${(error as Error).message}; options: --stack NAME --out DIR --config key=value --show-secrets --strict --quiet --against DIR --allow-data-loss`);
    }
}
const flags = readFlags();
// Secret values shown in files: readable by their owner only.
const fileMode = flags["show-secrets"] ? { mode: 0o600 } : {};

function writeFiles(root: string, files: PlanFile[]): void {
    for (const file of files) {
        const target = path.join(root, file.path);
        if (!target.startsWith(root + path.sep)) {
            throw new Error(`refusing to write ${file.path} outside ${root}`);
        }
        fs.mkdirSync(path.dirname(target), { recursive: true, ...(flags["show-secrets"] ? { mode: 0o700 } : {}) });
        fs.writeFileSync(target, file.content, fileMode);
    }
}

function previousPlan(dir: string): PlanResource[] {
    const file = path.join(dir, "resources.json");
    if (!fs.existsSync(path.join(dir, PLAN_MARKER)) || !fs.existsSync(file)) {
        return fail(`--against ${dir}: not a plan folder (no ${PLAN_MARKER} and resources.json); make one with npm run plan -- --out ${dir}`);
    }
    return JSON.parse(fs.readFileSync(file, "utf8")) as PlanResource[];
}

async function main(): Promise<number> {
    const out = path.resolve(projectDir, flags.out!);
    const outProblem = planOutputProblem(out, projectDir);
    if (outProblem) {
        fail(outProblem);
    }
    let projectConfig;
    try {
        projectConfig = loadProjectConfig(projectDir, flags.stack!);
    } catch (error) {
        fail((error as Error).message);
    }
    const { project, values } = projectConfig;
    for (const assignment of flags.config!) {
        const match = /^([^=]+)=(.*)$/s.exec(assignment);
        if (!match) {
            fail(`--config ${JSON.stringify(assignment)}: must be key=value, such as --config githubOwner=my-org`);
        }
        const qualified = match[1].includes(":") ? match[1] : `${project}:${match[1]}`;
        let value: unknown = match[2];
        try {
            value = JSON.parse(match[2]);
        } catch {
            // a plain string, as `pulumi config set` stores it
        }
        const problem = configValueProblem(projectConfig, flags.stack!, qualified, value);
        if (problem) {
            fail(`--config ${assignment}: ${problem}`);
        }
        values[qualified] = value;
    }
    if (flags["show-secrets"]) {
        console.warn(`warning: --show-secrets writes secret values (private keys, kubeconfig) in clear to ${out}, readable by you only; delete it after use`);
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
    if (flags.against) {
        const losses = dataLosses(previousPlan(path.resolve(projectDir, flags.against)), resources);
        if (losses.length > 0 && !flags["allow-data-loss"]) {
            fail(`compared with the plan in ${flags.against}, this change would lose data:\n${losses.map((loss) => `  - ${loss}`).join("\n")}`);
        }
        for (const loss of losses) {
            console.warn(`warning (--allow-data-loss): ${loss}`);
        }
    }
    let manifests: PlanFile[];
    try {
        manifests = kubernetesManifests(evaluation.cloud.resources, options);
    } catch (error) {
        fail((error as Error).message);
    }
    const repo = repositoryFiles(evaluation.cloud.resources);
    const outputs = Object.fromEntries(
        Object.entries(evaluation.outputs).map(([key, value]) => [
            key,
            evaluation.secretOutputs.includes(key) && !options.showSecrets ? SECRET_MASK : value,
        ]),
    );

    fs.mkdirSync(path.dirname(out), { recursive: true });
    // mkdtemp makes the folder private (0700); a plan with secrets masked may be read by anyone.
    const staging = fs.mkdtempSync(`${out}.partial-`);
    if (!flags["show-secrets"]) {
        fs.chmodSync(staging, 0o755);
    }
    fs.writeFileSync(path.join(staging, PLAN_MARKER), "Written by npm run plan; a later plan replaces this folder.\n");
    if (stackResource) {
        stackResource.inputs = outputs;
    }
    fs.writeFileSync(path.join(staging, "resources.json"), JSON.stringify(resources, null, 2) + "\n", fileMode);
    fs.writeFileSync(path.join(staging, "outputs.json"), JSON.stringify(outputs, null, 2) + "\n", fileMode);
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
