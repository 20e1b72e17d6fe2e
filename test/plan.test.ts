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
import { dataLosses } from "../stack/data-loss.js";
import type { PlanResource } from "../stack/plan-report.js";

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
        assert.equal(allRules.length, 23);
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

    it("protects what holds data by default, and nothing else", () => {
        const resources = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as PlanResource[];
        const protectedOnes = resources.filter((r) => r.options.protect).map((r) => `${r.type} ${r.name}`).sort();
        assert.deepEqual(protectedOnes, [
            "aws:ecr/repository:Repository mz-k8s-registry-task-reporter",
            "aws:ecr/repository:Repository mz-k8s-registry-task-service",
            "aws:ecr/repository:Repository mz-k8s-registry-task-web",
            "aws:kms/key:Key mz-k8s-cluster-secrets",
            "aws:kms/key:Key mz-k8s-registry-images",
            "eks:index:Cluster mz-k8s-cluster-eks",
            "github:index/repository:Repository mz-k8s-config-repository",
        ]);
        const files = resources.filter((r) => r.type === "github:index/repositoryFile:RepositoryFile");
        assert.ok(files.length > 0 && files.every((f) => f.options.retainOnDelete && f.options.ignoreChanges.includes("repository")));
    });

    it("keeps every URN when clusterName changes, and stops the plan that would replace the cluster, saying what is lost", () => {
        const renamed = path.join(root, "renamed");
        assert.equal(plan(renamed, "--config", "githubOwner=octo-org", "--config", "clusterName=other").status, 0);
        const urns = (dir: string) => (JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8")) as PlanResource[]).map((r) => r.urn).sort();
        assert.deepEqual(urns(renamed), urns(out));
        const before = JSON.parse(fs.readFileSync(path.join(out, "resources.json"), "utf8")) as PlanResource[];
        const after = JSON.parse(fs.readFileSync(path.join(renamed, "resources.json"), "utf8")) as PlanResource[];
        assert.deepEqual(
            dataLosses(before, after).map((loss) => loss.split(", losing")[0]),
            ['would replace EKS cluster mz-k8s (name: "mz-k8s" -> "other"; see clusterName)'],
        );

        const refused = path.join(root, "refused");
        const result = plan(refused, "--config", "githubOwner=octo-org", "--config", "clusterName=other", "--against", out);
        assert.equal(result.status, 1);
        assert.match(result.stderr, /this change would lose data:\n  - would replace EKS cluster mz-k8s \(name: "mz-k8s" -> "other"; see clusterName\), losing every workload, Secret and volume in the cluster\. pulumi preview refuses it too while protectData is true\. To keep the data, set the changed key back\. To lose it on purpose, run one `pulumi up` with protectData=false/);
        assert.equal(fs.existsSync(refused), false);

        const allowed = path.join(root, "allowed");
        const accepted = plan(allowed, "--config", "githubOwner=octo-org", "--config", "clusterName=other", "--config", "protectData=false", "--against", out, "--allow-data-loss");
        assert.equal(accepted.status, 0, accepted.stderr);
        assert.match(accepted.stderr, /warning \(--allow-data-loss\): would replace EKS cluster mz-k8s/);
        const unprotected = JSON.parse(fs.readFileSync(path.join(allowed, "resources.json"), "utf8")) as PlanResource[];
        assert.deepEqual(unprotected.filter((r) => r.options.protect), []);
    });

    it("names the images a renamed prefix or a removed app would lose", () => {
        const moved = path.join(root, "moved");
        assert.equal(plan(moved, "--config", "githubOwner=octo-org", "--config", "imageNamePrefix=acme", "--config", 'apps=["task-service","task-reporter"]', "--config", "configRepository=renamed").status, 0);
        const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8")) as PlanResource[];
        assert.deepEqual(
            dataLosses(read(out), read(moved)).map((loss) => loss.split(" (")[0] + " " + loss.split(", losing ")[1].split(";")[0].split(".")[0]),
            [
                "would replace ECR repository mamezou-tech/task-service every image pushed to it",
                "would replace ECR repository mamezou-tech/task-reporter every image pushed to it",
                "would delete ECR repository mamezou-tech/task-web every image pushed to it",
            ],
        );
        const repository = read(moved).find((r) => r.type === "github:index/repository:Repository")!;
        assert.equal(repository.urn, read(out).find((r) => r.type === "github:index/repository:Repository")!.urn, "a renamed repository is renamed in place");
        assert.equal(repository.inputs.name, "renamed");
    });

    it("marks its folder, replaces a plan it wrote, and never replaces a folder it did not write", () => {
        assert.ok(fs.existsSync(path.join(out, ".eks-flux-gitops-plan")));
        const mine = path.join(root, "mine");
        fs.mkdirSync(mine);
        fs.writeFileSync(path.join(mine, "notes.txt"), "mine");
        for (const target of [mine, projectDir, path.dirname(projectDir)]) {
            const refused = plan(target, "--config", "githubOwner=octo-org");
            assert.equal(refused.status, 1);
            assert.match(refused.stderr, /^plan: --out .*(not empty and was not written by a plan|which is or holds the project)/);
            assert.match(refused.stderr, /nothing was written\.\n$/);
        }
        assert.equal(fs.readFileSync(path.join(mine, "notes.txt"), "utf8"), "mine");
        assert.ok(fs.existsSync(path.join(projectDir, ".git")));
    });

    it("answers unknown flags, stacks and malformed --config with one line and no stack trace", () => {
        const cases: Array<[string[], RegExp]> = [
            [["--bogus"], /^plan: Unknown option '--bogus'; options: --stack NAME/],
            [["stray"], /^plan: Unexpected argument 'stray'/],
            [["--stack", "staging"], /^plan: no stack "staging" \(no file Pulumi\.staging\.yaml\): stacks here are prod/],
            [["--config", "githubOwner"], /^plan: --config "githubOwner": must be key=value/],
            [["--config", "clustrName=x"], /^plan: --config clustrName=x: stack prod sets eks-flux-gitops:clustrName, which Pulumi\.yaml does not declare/],
            [["--config", "nodeMinSize=two"], /^plan: --config nodeMinSize=two: .* must be of type integer as Pulumi\.yaml declares it/],
        ];
        for (const [flags, message] of cases) {
            const target = path.join(root, "flags");
            const failed = plan(target, ...flags);
            assert.equal(failed.status, 1, flags.join(" "));
            assert.match(failed.stderr, message);
            assert.doesNotMatch(failed.stderr, /\n\s+at /);
            assert.equal(fs.existsSync(target), false);
        }
    });

    it("writes a plan with secrets shown for its owner only, and warns", () => {
        const shown = path.join(root, "shown");
        const result = plan(shown, "--config", "githubOwner=octo-org", "--show-secrets");
        assert.equal(result.status, 0, result.stderr);
        assert.match(result.stderr, /warning: --show-secrets writes secret values .* readable by you only/);
        assert.equal(fs.statSync(shown).mode & 0o777, 0o700);
        assert.equal(fs.statSync(path.join(shown, "resources.json")).mode & 0o777, 0o600);
        assert.equal(fs.statSync(path.join(shown, "manifests/flux-system/Secret-task-tool-ssh-key.yaml")).mode & 0o777, 0o600);
        assert.equal(fs.statSync(out).mode & 0o077, 0o055, "a masked plan stays readable");
    });
});
