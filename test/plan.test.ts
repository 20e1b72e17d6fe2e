import { strict as assert } from "node:assert";
import { spawnSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parse } from "yaml";
import { subjectsFromPlan } from "../policy/plan-subjects.js";
import { allRules } from "../policy/rules/index.js";
import { runRules } from "../policy/run.js";
import { hasSchema, validateKubernetesObject } from "../components/kubernetes-schema.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function plan(out: string, ...flags: string[]) {
    return spawnSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", "--quiet", "--out", out, ...flags], { cwd: projectDir, encoding: "utf8" });
}

describe("offline plan of the prod stack", function () {
    this.timeout(60000);
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-test-"));
    const out = path.join(root, "plan");
    let result: ReturnType<typeof plan>;

    before(() => {
        result = plan(out, "--config", "githubOwner=octo-org");
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("writes resources.json, manifests/ and repo/", () => {
        assert.equal(result.status, 0, result.stderr);
        const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
        assert.ok(resources.length > 100);
        for (const entry of resources) {
            assert.deepEqual(Object.keys(entry).slice(0, 3), ["urn", "type", "name"]);
            assert.ok("inputs" in entry);
        }
        assert.deepEqual(fs.readdirSync(path.join(out, "repo/app/overlays/prod")), ["kustomization.yaml"]);
        const overlay = parse(fs.readFileSync(path.join(out, "repo/app/overlays/prod/kustomization.yaml"), "utf8"));
        assert.equal(overlay.images.find((i: { name: string }) => i.name === "task-service").newTag, "1.0.0");
        assert.match(fs.readFileSync(path.join(out, "repo/app/overlays/prod/kustomization.yaml"), "utf8"), /newTag: 1\.0\.0 # \{"\$imagepolicy": "flux-system:task-service:tag"\}/);
    });

    it("masks every secret: the deploy key, the kubeconfig", () => {
        const text = fs.readFileSync(path.join(out, "resources.json"), "utf8") + fs.readFileSync(path.join(out, "outputs.json"), "utf8");
        assert.doesNotMatch(text, /BEGIN OPENSSH PRIVATE KEY/);
        const secret = parse(fs.readFileSync(path.join(out, "manifests/flux-system/Secret-task-tool-ssh-key.yaml"), "utf8"));
        assert.deepEqual(secret.stringData, { identity: "[secret]", "identity.pub": "[secret]", known_hosts: "[secret]" });
        assert.equal(JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8")).kubeconfig, "[secret]");
    });

    it("applies only objects that validate against their schema, on Flux's v1 APIs", () => {
        const files = fs.readdirSync(path.join(out, "manifests"), { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml"));
        assert.equal(files.length, 45);
        for (const file of files) {
            const object = parse(fs.readFileSync(path.join(out, "manifests", file), "utf8"));
            assert.ok(hasSchema(object), `${file}: ${object.apiVersion}/${object.kind}`);
            validateKubernetesObject(file, object);
            if (/fluxcd\.io/.test(object.apiVersion)) {
                assert.match(object.apiVersion, /\/v1$/, file);
            }
        }
    });

    it("registers every Kubernetes object under a token the kubernetes provider accepts (group and version)", () => {
        const resources: { type: string }[] = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8"));
        const kubernetes = resources.map((r) => r.type).filter((t) => t.startsWith("kubernetes:"));
        assert.ok(kubernetes.length > 40);
        assert.deepEqual(kubernetes.filter((t) => !/^kubernetes:[a-z0-9.-]+\/v[0-9]+[a-z0-9]*:[A-Z]\w*$/.test(t)), []);
    });

    it("passes every guardrail, and the guardrails catch a changed setting", () => {
        const subjects = subjectsFromPlan(out);
        assert.deepEqual(runRules(subjects), []);
        const types = new Set(subjects.map((s) => s.type));
        for (const type of ["eks:index:Cluster", "aws:ecr/repository:Repository", "github:index/repository:Repository", "tls:index/privateKey:PrivateKey", "kubernetes:apps/v1:Deployment"]) {
            assert.ok(types.has(type), `the plan has ${type}, so its rules are exercised`);
        }
        const repository = subjects.find((s) => s.type === "aws:ecr/repository:Repository")!;
        repository.props.imageTagMutability = "MUTABLE";
        assert.deepEqual(runRules(subjects).map((v) => v.rule), ["ecr-immutable-tags"]);
        assert.equal(allRules.length, 25);
    });

    it("stops on bad config with one message per problem, writing nothing", () => {
        const bad = path.join(root, "bad");
        const failed = plan(bad, "--strict", "--config", "imagePolicies=[\"task-service=1.1.x.y\",\"task-api=1.x\"]", "--config", "apps=[\"task-service\",\"task-service\"]");
        assert.equal(failed.status, 1);
        assert.match(failed.stderr, /eks-flux-gitops:githubOwner = null: is required/);
        assert.match(failed.stderr, /eks-flux-gitops:apps\[1\] = "task-service": must be unique/);
        assert.match(failed.stderr, /eks-flux-gitops:imagePolicies\[0\] = "1.1.x.y": must be a semver range/);
        assert.match(failed.stderr, /eks-flux-gitops:imagePolicies\[1\] = "task-api=1.x": names app "task-api", which is not in apps/);
        assert.equal(fs.existsSync(bad), false);
        assert.deepEqual(fs.readdirSync(root).filter((f) => f.startsWith("bad")), []);
    });
});
