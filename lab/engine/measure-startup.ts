/**
 * `npx tsx lab/engine/measure-startup.ts [runs]`: the lab's startup measurement alone (the first step
 * of `npm run e2e`), repeated: `pulumi preview` of the stack program to its first resource, with the
 * CLI lab/build.sh built, each run in a fresh Pulumi home and backend under .cache/lab/startup-*.
 * The language host launcher is written next to the real path of .cache/lab/bin/pulumi, as e2e does.
 */
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { installLanguageHost, PulumiCli } from "./pulumi-cli.js";
import { measureStackStartup } from "./startup.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const bin = (name: string) => path.join(projectDir, ".cache/lab/bin", name);
const runs = Number(process.argv[2] ?? 5);
const root = path.join(projectDir, ".cache/lab", `startup-${new Date().toISOString().replace(/[:.]/g, "-")}`);
const versions = Object.fromEntries([...fs.readFileSync(path.join(projectDir, "lab/versions.env"), "utf8").matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));

installLanguageHost(bin("pulumi"), projectDir, path.join(projectDir, "node_modules/.bin/node"));
const seconds: number[] = [];
for (let run = 1; run <= runs; run++) {
    const runDir = path.join(root, `run-${run}`);
    fs.mkdirSync(path.join(runDir, "logs"), { recursive: true });
    const cli = new PulumiCli(bin("pulumi"), path.join(runDir, "logs"), path.join(runDir, "pulumi"), path.join(projectDir, "node_modules/.bin"));
    // As e2e does; the preview stops at the first resource, before any provider is needed.
    if (fs.existsSync(bin("pulumi-resource-kubernetes"))) {
        await cli.installPlugin({ name: "kubernetes", version: versions.PULUMI_KUBERNETES_VERSION, binary: bin("pulumi-resource-kubernetes") });
    }
    const load = os.loadavg()[0].toFixed(2);
    const startup = await measureStackStartup(cli, projectDir, runDir);
    seconds.push(startup);
    console.log(`run ${run}: ${startup.toFixed(2)} s to the first resource (load average ${load} on ${os.cpus().length} cores)`);
}
const sorted = [...seconds].sort((a, b) => a - b);
console.log(`${runs} runs: min ${sorted[0].toFixed(2)} s, median ${sorted[Math.floor(runs / 2)].toFixed(2)} s, max ${sorted[runs - 1].toFixed(2)} s (logs in ${path.relative(projectDir, root)})`);
