import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { parse } from "yaml";
import { evaluateStack, type Evaluation } from "../stack/evaluate.js";

const programDir = new URL("../lab/app-team/", import.meta.url);
const PROJECT = "lab-app-team";
const PLATFORM = "organization/lab-platform/lab";
const CUSTOM_RESOURCE = (kind: string, group = "image.toolkit.fluxcd.io") => `kubernetes:${group}/v1:${kind}`;

/** The platform stack's outputs as lab/platform exports them. */
const platformOutputs = { fluxNamespace: "flux-system", gitRepositoryName: "task-tool", gitBranch: "main", kubeconfig: "apiVersion: v1\nkind: Config\n" };

/** Runs lab/app-team/index.ts under mocks: Pulumi.yaml's defaults, the lab's values, and a platform stack with `outputs`. */
function runAppTeam(outputs: Record<string, unknown> = platformOutputs): Promise<Evaluation> {
    const declared: Record<string, { default?: unknown }> = parse(fs.readFileSync(new URL("Pulumi.yaml", programDir), "utf8")).config;
    const config: Record<string, unknown> = Object.fromEntries(Object.entries(declared).filter(([, d]) => "default" in d).map(([key, d]) => [`${PROJECT}:${key}`, d.default]));
    const lab = { platformStack: PLATFORM, team: "billing", app: "billing-api", image: "127.0.0.1:5000/mamezou-tech/billing-api", semverRange: "1.0.x", path: "./teams/billing", insecureRegistry: true };
    for (const [key, value] of Object.entries(lab)) {
        config[`${PROJECT}:${key}`] = value;
    }
    return evaluateStack(new URL("index.ts", programDir).pathname, PROJECT, "billing", config, "", {
        outputs: {
            "pulumi:pulumi:StackReference": ({ inputs }) => ({ name: inputs.name, outputs, secretOutputNames: ["kubeconfig"] }),
        },
    });
}

describe("the lab's app-team program (lab/app-team)", function () {
    this.timeout(60000);

    it("reads the platform stack by its StackReference name and talks to the cluster with its secret kubeconfig", async () => {
        const { cloud } = await runAppTeam();
        assert.deepEqual(cloud.ofType("pulumi:pulumi:StackReference").map((r) => r.inputs.name), [PLATFORM]);
        const provider = cloud.get("pulumi:providers:kubernetes", "billing-cluster");
        assert.equal(provider.inputs.kubeconfig, platformOutputs.kubeconfig);
        assert.ok(provider.secretPaths.includes("kubeconfig"), `secret inputs: ${provider.secretPaths.join(", ")}`);
        for (const resource of cloud.resources.filter((r) => r.type.startsWith("kubernetes:"))) {
            assert.ok(resource.provider?.startsWith(`${provider.urn}::`), `${resource.type} ${resource.name} uses ${resource.provider}`);
        }
    });

    it("syncs the team's folder of the platform's GitRepository into its own namespace, deleting the app on destroy", async () => {
        const { cloud } = await runAppTeam();
        const sync = cloud.get(CUSTOM_RESOURCE("Kustomization", "kustomize.toolkit.fluxcd.io"), "billing-kustomization").inputs;
        assert.deepEqual(sync.metadata.name, "billing");
        assert.equal(sync.metadata.namespace, "flux-system");
        assert.deepEqual(sync.spec.sourceRef, { kind: "GitRepository", name: "task-tool" });
        assert.equal(sync.spec.path, "./teams/billing");
        assert.equal(sync.spec.targetNamespace, "billing");
        assert.equal(sync.spec.deletionPolicy, "Delete");
        assert.equal(cloud.get("kubernetes:core/v1:Namespace", "billing-target-namespace").inputs.metadata.name, "billing");
    });

    it("follows its image with its own automation, committing to the platform's branch in its folder only", async () => {
        const { cloud, outputs } = await runAppTeam();
        const repository = cloud.get(CUSTOM_RESOURCE("ImageRepository"), "billing-billing-api-repository").inputs;
        assert.deepEqual([repository.metadata.name, repository.spec.image, repository.spec.insecure], ["billing-api", "127.0.0.1:5000/mamezou-tech/billing-api", true]);
        const policy = cloud.get(CUSTOM_RESOURCE("ImagePolicy"), "billing-billing-api-policy").inputs;
        assert.deepEqual([policy.metadata.name, policy.spec.policy.semver.range], ["billing-api", "1.0.x"]);
        const automation = cloud.get(CUSTOM_RESOURCE("ImageUpdateAutomation"), "billing-update").inputs;
        assert.equal(automation.metadata.name, "billing");
        assert.deepEqual(automation.spec.sourceRef, { kind: "GitRepository", name: "task-tool" });
        assert.equal(automation.spec.git.checkout.ref.branch, "main");
        assert.equal(automation.spec.git.push.branch, "main");
        assert.deepEqual(automation.spec.update, { strategy: "Setters", path: "./teams/billing" });
        assert.deepEqual(outputs, { kustomization: "billing", targetNamespace: "billing", imagePolicy: "billing-api" });
    });

    it("names no Flux object as the platform's do", async () => {
        const { cloud } = await runAppTeam();
        const platformNames = ["task-tool", "task-service", "task-reporter", "task-web"];
        const names = cloud.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom && r.inputs.metadata).map((r) => r.inputs.metadata.name);
        assert.deepEqual(names.filter((name) => platformNames.includes(name)), []);
    });

    it("says which output the platform stack lacks", async () => {
        const { gitBranch: _, ...withoutBranch } = platformOutputs;
        await assert.rejects(runAppTeam(withoutBranch), /the platform stack organization\/lab-platform\/lab exports no gitBranch/);
    });
});
