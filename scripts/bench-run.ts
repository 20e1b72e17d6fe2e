/**
 * One benchmark sample: evaluates the prod stack under mocks with `--apps N` generated apps (each with
 * an image policy) and prints one JSON line: wall time of the evaluation, resources registered,
 * peak resident memory of this process.
 */
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { evaluateStack } from "../stack/evaluate.js";
import { loadProjectConfig } from "../stack/project-config.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({ options: { apps: { type: "string", default: "3" } } });
const count = Number(flags.apps);

const { project, values } = loadProjectConfig(projectDir, "prod");
const apps = Array.from({ length: count }, (_, i) => `app-${String(i).padStart(3, "0")}`);
Object.assign(values, {
    [`${project}:githubOwner`]: "bench-org",
    [`${project}:apps`]: apps,
    [`${project}:imagePolicies`]: apps.map((app) => `${app}=1.1.x`),
});

const started = process.hrtime.bigint();
const { cloud } = await evaluateStack(path.join(projectDir, "index.ts"), project, "prod", values, "bench-org");
const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
console.log(JSON.stringify({ apps: count, wallMs, resources: cloud.resources.length, peakRssMiB: process.resourceUsage().maxRSS / 1024 }));
