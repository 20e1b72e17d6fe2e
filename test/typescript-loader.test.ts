import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

// The suite itself runs under tsx; this runs the stack program with Pulumi.yaml's nodeargs, as pulumi does.
const nodeargs: string[] = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")).runtime.options.nodeargs.split(/\s+/);
const EVALUATE_PROD_STACK = `
import { evaluateStack } from "./stack/evaluate.ts";
import { loadProjectConfig } from "./stack/project-config.ts";
const { project, values } = loadProjectConfig(process.cwd(), "prod");
values[project + ":githubOwner"] = "octo-org";
values[project + ":clusterPublicAccessCidrs"] = ["203.0.113.10/32"];
const { cloud, outputs } = await evaluateStack("index.ts", project, "prod", values, "octo-org");
console.log(JSON.stringify({ types: [...new Set(cloud.resources.map((r) => r.type))], outputs: Object.keys(outputs) }));
`;

describe("the stack program's loader (stack/typescript-loader.ts)", function () {
    this.timeout(60000);

    it("runs index.ts and every module it imports with Node's type stripping, as pulumi does", () => {
        assert.deepEqual(nodeargs, ["--import", "./stack/typescript-loader.ts"]);
        const run = spawnSync(process.execPath, [...nodeargs, "--input-type=module", "--eval", EVALUATE_PROD_STACK], { cwd: projectDir, encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        const { types, outputs } = JSON.parse(run.stdout.trim().split("\n").at(-1)!);
        for (const type of ["pulumi:providers:github", "eks-flux-gitops:index:GitOpsPlatform", "eks:index:Cluster", "github:index/repository:Repository", "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition"]) {
            assert.ok(types.includes(type), `${type} not registered; registered: ${types.join(", ")}`);
        }
        assert.deepEqual(outputs.sort(), ["configRepositoryHttpsUrl", "configRepositorySshUrl", "deployKeyFingerprint", "ecrRepositoryUrls", "fluxCheckCommands", "fluxNamespace", "gitBranch", "gitRepositoryName", "kubeconfig"]);
    });

    it("leaves out the source-map-support that @pulumi/pulumi's program runner requires, and only that one", () => {
        const script = `
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
const original = Error.prepareStackTrace;
createRequire(fileURLToPath(import.meta.resolve("@pulumi/pulumi/cmd/run/index.js")))("source-map-support/register");
const afterRunner = Error.prepareStackTrace === original;
createRequire(import.meta.url)("source-map-support/register");
console.log(JSON.stringify([afterRunner, Error.prepareStackTrace === original]));
`;
        const run = spawnSync(process.execPath, [...nodeargs, "--input-type=module", "--eval", script], { cwd: projectDir, encoding: "utf8" });
        assert.equal(run.status, 0, run.stderr);
        assert.deepEqual(JSON.parse(run.stdout), [true, false]);
    });
});
