import { strict as assert } from "node:assert";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { evaluateStack, type Evaluation } from "../stack/evaluate.js";
import { loadProjectConfig } from "../stack/project-config.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** Runs index.ts with the prod stack's config plus `overrides` (unqualified keys are the project's). */
export async function runStack(overrides: Record<string, unknown>): Promise<Evaluation> {
    const { project, values } = loadProjectConfig(projectDir, "prod");
    for (const [key, value] of Object.entries(overrides)) {
        values[key.includes(":") ? key : `${project}:${key}`] = value;
    }
    return evaluateStack(path.join(projectDir, "index.ts"), project, "prod", values, String(values[`${project}:githubOwner`] ?? ""));
}

const base = { githubOwner: "octo-org", clusterPublicAccessCidrs: ["203.0.113.10/32"] };

describe("the stack program (index.ts)", function () {
    this.timeout(60000);

    it("sends every GitHub resource through a github provider acting for githubOwner", async () => {
        const { cloud } = await runStack(base);
        const provider = cloud.get("pulumi:providers:github", "github");
        assert.equal(provider.inputs.owner, "octo-org");
        assert.equal(provider.inputs.token, undefined, "the token stays in GITHUB_TOKEN, never in config or state inputs");
        const githubResources = cloud.resources.filter((r) => r.type.startsWith("github:") && r.custom);
        assert.deepEqual(
            [...new Set(githubResources.map((r) => r.type))].sort(),
            ["github:index/branchDefault:BranchDefault", "github:index/repository:Repository", "github:index/repositoryDeployKey:RepositoryDeployKey", "github:index/repositoryFile:RepositoryFile"],
        );
        for (const resource of githubResources) {
            assert.ok(resource.provider?.startsWith(`${provider.urn}::`), `${resource.type} ${resource.name} uses ${resource.provider}`);
        }
    });

    it("gives the preview and deploy roles their access entries on the cluster", async () => {
        const { cloud } = await runStack({
            ...base,
            deployRoleArn: "arn:aws:iam::123456789012:role/github-deploy",
            previewRoleArn: "arn:aws:iam::123456789012:role/github-preview",
        });
        const entries = cloud.get("eks:index:Cluster", "mz-k8s-cluster-eks").inputs.accessEntries;
        assert.deepEqual(
            Object.values(entries).map((e: any) => [e.principalArn, Object.values(e.accessPolicies).map((p: any) => p.policyArn)]),
            [
                ["arn:aws:iam::123456789012:role/github-deploy", ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy"]],
                ["arn:aws:iam::123456789012:role/github-preview", ["arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy"]],
            ],
        );
    });

    it("refuses, from the config alone, a private endpoint deployed from outside the VPC", async () => {
        await assert.rejects(runStack({ githubOwner: "octo-org" }), /eks-flux-gitops:clusterPublicAccessCidrs = \[\]: is empty.*eks-flux-gitops:deployFromInsideVpc/);
        const inside = await runStack({ githubOwner: "octo-org", deployFromInsideVpc: true });
        const cluster = inside.cloud.get("eks:index:Cluster", "mz-k8s-cluster-eks").inputs;
        assert.deepEqual([cluster.endpointPublicAccess, cluster.endpointPrivateAccess], [false, true]);
    });
});
