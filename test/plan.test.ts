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
import type { Subject } from "../policy/subject.js";
import { hasSchema, validateKubernetesObject } from "../components/kubernetes-schema.js";
import { dataLosses } from "../stack/data-loss.js";
import type { PlanResource } from "../stack/plan-report.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function plan(out: string, ...flags: string[]) {
    return spawnSync(process.execPath, ["--import", "tsx", "scripts/plan.ts", "--quiet", "--out", out, ...flags], { cwd: projectDir, encoding: "utf8" });
}

/** The Flux SSH Secret's manifest: named after its content, `Secret-task-tool-ssh-<10 hex digits>.yaml`. */
function sshSecretFile(planDir: string): string {
    const files = fs.readdirSync(path.join(planDir, "manifests/flux-system")).filter((f) => /^Secret-task-tool-ssh-[0-9a-f]{10}\.yaml$/.test(f));
    assert.equal(files.length, 1, `one SSH Secret in ${planDir}: ${files.join(", ")}`);
    return files[0];
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
        const secret = parse(fs.readFileSync(path.join(out, "manifests/flux-system", sshSecretFile(out)), "utf8"));
        assert.deepEqual(secret.stringData, { identity: "[secret]", "identity.pub": "[secret]", known_hosts: "[secret]" });
        assert.equal(JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8")).kubeconfig, "[secret]");
    });

    it("exports what an app team's stack reads through a StackReference", () => {
        const outputs = JSON.parse(fs.readFileSync(path.join(out, "outputs.json"), "utf8"));
        assert.deepEqual([outputs.fluxNamespace, outputs.gitRepositoryName, outputs.gitBranch], ["flux-system", "task-tool", "main"]);
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
        assert.equal(allRules.length, 30);
    });

    it("catches every one of its own deliberate violations on the real plan", () => {
        const byType = (subjects: Subject[], type: string) => subjects.filter((s) => s.type === type);
        const kind = (subjects: Subject[], name: string) => subjects.find((s) => s.type.endsWith(`:${name}`))!;
        const sshRule = (subjects: Subject[]) => byType(subjects, "aws:ec2/securityGroupRule:SecurityGroupRule").find((r) => r.props.cidrBlocks)!;
        const mutations: Array<[string, string, (subjects: Subject[]) => void]> = [
            ["ECR tags made mutable", "ecr-immutable-tags", (s) => (byType(s, "aws:ecr/repository:Repository")[0].props.imageTagMutability = "MUTABLE")],
            ["ECR scan off", "ecr-scan-on-push", (s) => (byType(s, "aws:ecr/repository:Repository")[0].props.imageScanningConfiguration = { scanOnPush: false })],
            ["ECR AES256", "ecr-kms-encryption", (s) => (byType(s, "aws:ecr/repository:Repository")[0].props.encryptionConfigurations = [{ encryptionType: "AES256" }])],
            ["ECR forceDelete", "ecr-no-force-delete", (s) => (byType(s, "aws:ecr/repository:Repository")[1].props.forceDelete = true)],
            ["endpoint open to 0.0.0.0/0", "eks-endpoint-not-public", (s) => Object.assign(kind(s, "Cluster").props, { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] })],
            ["endpoint open through two /1", "eks-endpoint-not-public", (s) => Object.assign(kind(s, "Cluster").props, { endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] })],
            ["Secrets unencrypted", "eks-secrets-encrypted", (s) => (kind(s, "Cluster").props.encryptionConfigKeyArn = undefined)],
            ["audit log off", "eks-control-plane-logging", (s) => (kind(s, "Cluster").props.enabledClusterLogTypes = ["api"])],
            ["IMDSv1", "eks-nodes-imdsv2", (s) => (kind(s, "LaunchTemplate").props.metadataOptions = { httpTokens: "optional", httpPutResponseHopLimit: 2 })],
            ["SSH egress to anywhere", "ssh-egress-git-only", (s) => (sshRule(s).props.cidrBlocks = ["0.0.0.0/0"])],
            ["SSH egress as a port range, described as monitoring", "ssh-egress-git-only", (s) => Object.assign(sshRule(s).props, { fromPort: 0, toPort: 1024, description: "monitoring", cidrBlocks: ["10.0.0.0/8"] })],
            ["all-ports egress beyond the Git ranges", "ssh-egress-git-only", (s) => Object.assign(sshRule(s).props, { protocol: "-1", fromPort: 0, toPort: 0, description: "internet", cidrBlocks: ["0.0.0.0/0"] })],
            ["public repository", "github-repository-private", (s) => (byType(s, "github:index/repository:Repository")[0].props.visibility = "public")],
            ["no vulnerability alerts", "github-vulnerability-alerts", (s) => (byType(s, "github:index/repository:Repository")[0].props.vulnerabilityAlerts = false)],
            ["repository deleted on destroy", "github-archive-on-destroy", (s) => (byType(s, "github:index/repository:Repository")[0].props.archiveOnDestroy = false)],
            ["RSA 2048 deploy key", "deploy-key-algorithm", (s) => Object.assign(kind(s, "PrivateKey").props, { algorithm: "RSA", rsaBits: 2048 })],
            [
                "identity not secret",
                "key-material-secret",
                (s) => {
                    const secret = byType(s, "kubernetes:core/v1:Secret")[0];
                    secret.secretPaths = [];
                    secret.props.stringData.identity = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";
                },
            ],
            ["known_hosts without RSA", "known-hosts-published", (s) => (byType(s, "kubernetes:core/v1:Secret")[0].props.stringData.known_hosts = "github.com ssh-ed25519 AAAA\n")],
            ["kubeconfig not secret", "kubeconfig-secret", (s) => (byType(s, "pulumi:providers:kubernetes")[0].secretPaths = [])],
            ["GitRepository on v1beta2", "flux-served-apis", (s) => (kind(s, "GitRepository").type = "kubernetes:source.toolkit.fluxcd.io/v1beta2:GitRepository")],
            ["GitRepository over https", "flux-git-ssh-branch", (s) => (kind(s, "GitRepository").props.spec.url = "https://github.com/o/r")],
            ["ImageRepository with provider generic", "flux-ecr-provider-aws", (s) => (kind(s, "ImageRepository").props.spec.provider = "generic")],
            ["remote bases allowed", "flux-controller-hardening", (s) => (byType(s, "kubernetes:apps/v1:Deployment").find((d) => d.props.metadata.name === "kustomize-controller")!.props.spec.template.spec.containers[0].args = [])],
            ["Kustomization without its controller", "flux-objects-depend-on-install", (s) => (kind(s, "Kustomization").dependencies = [])],
            ["overlay rewritten by pulumi up", "automation-path-not-rewritten", (s) => (byType(s, "github:index/repositoryFile:RepositoryFile").find((f) => String(f.props.file).startsWith("app/overlays/"))!.ignoreChanges = [])],
            ["Kustomization without the readiness wait", "flux-waits-for-ready", (s) => (kind(s, "Kustomization").props.metadata.annotations = {})],
            ["GitRepository without the readiness wait", "flux-waits-for-ready", (s) => delete kind(s, "GitRepository").props.metadata.annotations["pulumi.com/waitFor"]],
            ["Flux CRD deleted on destroy", "flux-install-retained", (s) => (byType(s, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition")[0].retainOnDelete = false)],
            ["Flux namespace deleted on destroy", "flux-install-retained", (s) => (s.find((x) => /:Namespace$/.test(x.type) && x.props.metadata.name === "flux-system")!.retainOnDelete = false)],
            ["sync into kube-system", "flux-sync-own-namespace", (s) => (kind(s, "Kustomization").props.spec.targetNamespace = "kube-system")],
            ["sync into flux-system", "flux-sync-own-namespace", (s) => (kind(s, "Kustomization").props.spec.targetNamespace = "flux-system")],
            ["deploy key writable without automation", "deploy-key-read-only", (s) => s.splice(s.indexOf(kind(s, "ImageUpdateAutomation")), 1)],
        ];
        const caught = mutations.filter(([, rule, mutate]) => {
            const subjects = structuredClone(subjectsFromPlan(out));
            mutate(subjects);
            return runRules(subjects).some((v) => v.rule === rule);
        });
        assert.deepEqual(mutations.filter((m) => !caught.includes(m)).map(([what]) => what), []);
        assert.equal(`${caught.length}/${mutations.length}`, "32/32");
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

    it("rotates the deploy key with deployKeyRotation: a new key and deploy key beside the old, the Secret and GitRepository switched, nothing protected touched", () => {
        const rotated = path.join(root, "rotated");
        const result = plan(rotated, "--config", "githubOwner=octo-org", "--config", "deployKeyRotation=1", "--against", out);
        assert.equal(result.status, 0, result.stderr);
        const read = (dir: string) => JSON.parse(fs.readFileSync(path.join(dir, "resources.json"), "utf8")) as PlanResource[];
        const find = (resources: PlanResource[], type: string) => resources.filter((r) => r.type === type);
        const [before, after] = [read(out), read(rotated)];
        const keyBefore = find(before, "tls:index/privateKey:PrivateKey");
        const keyAfter = find(after, "tls:index/privateKey:PrivateKey");
        assert.deepEqual([keyBefore.map((k) => k.urn), keyBefore.map((k) => k.options.replacementTrigger)], [keyAfter.map((k) => k.urn), [0]]);
        assert.deepEqual(keyAfter.map((k) => k.options.replacementTrigger), [1], "the engine replaces the key pair (create first) when the trigger changes");
        const deployKeys = (resources: PlanResource[]) => find(resources, "github:index/repositoryDeployKey:RepositoryDeployKey").map((k) => [k.name, k.inputs.title, k.options.deleteBeforeReplace]);
        assert.deepEqual(deployKeys(before), [["mz-k8s-config-deploy-key", "flux (prod)", true]]);
        assert.deepEqual(deployKeys(after), [["mz-k8s-config-deploy-key-r1", "flux (prod, rotation 1)", true]], "a new name: created before the old one, which the engine deletes last");
        const secretName = (dir: string) => sshSecretFile(dir).replace(/^Secret-|\.yaml$/g, "");
        assert.notEqual(secretName(rotated), secretName(out), "the mock key of the new rotation is another key, so another Secret");
        const gitRepository = (resources: PlanResource[]) => (find(resources, "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository")[0].inputs.spec as { secretRef: { name: string } }).secretRef.name;
        assert.deepEqual([gitRepository(before), gitRepository(after)], [secretName(out), secretName(rotated)]);
        assert.deepEqual(dataLosses(before, after), [], "a rotation loses no data");
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
        assert.equal(fs.statSync(path.join(shown, "manifests/flux-system", sshSecretFile(shown))).mode & 0o777, 0o600);
        assert.equal(fs.statSync(out).mode & 0o077, 0o055, "a masked plan stays readable");
    });
});
