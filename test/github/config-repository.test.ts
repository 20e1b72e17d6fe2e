import { strict as assert } from "node:assert";
import { checkNotArchived, ConfigRepository, fingerprintOf, isUnderPath, type ConfigRepositoryArgs } from "../../components/github/config-repository.js";
import { InputValidationError } from "../../components/validate.js";
import { GITHUB_SSH_KEYS, MockCloud, isSecretOutput, settled, useMockCloud, valueOf } from "../../testing/mock-cloud.js";

const seed: ConfigRepositoryArgs = { owner: "octo-org", name: "task-tool-cluster-config" };

async function build(args: Partial<ConfigRepositoryArgs> = {}) {
    const cloud = await useMockCloud(new MockCloud({ githubOwner: "octo-org" }));
    const repo = new ConfigRepository("config", { ...seed, ...args });
    await valueOf(repo.deployKeyFingerprint);
    await settled(cloud);
    return { cloud, repo };
}

describe("ConfigRepository", () => {
    it("creates a private repository with alerts, archived rather than deleted on destroy, default branch main", async () => {
        const { cloud, repo } = await build();
        const repository = cloud.get("github:index/repository:Repository", "config-repository").inputs;
        assert.equal(repository.name, "task-tool-cluster-config");
        assert.equal(repository.visibility, "private");
        assert.equal(repository.archiveOnDestroy, true);
        assert.equal(repository.vulnerabilityAlerts, true);
        assert.equal(cloud.get("github:index/branchDefault:BranchDefault", "config-default-branch").inputs.branch, "main");
        assert.equal(await valueOf(repo.sshUrl), "ssh://git@github.com/octo-org/task-tool-cluster-config");
        assert.equal(await valueOf(repo.httpsUrl), "https://github.com/octo-org/task-tool-cluster-config.git");
        assert.equal(await valueOf(repo.defaultBranch), "main");
    });

    it("keeps every file on destroy: deletions would land in the archive, and Git-owned files have a stale SHA", async () => {
        const files = { "app/base/kustomization.yaml": "resources: []\n", "app/overlays/prod/kustomization.yaml": "resources: [../../base]\n" };
        const archived = await build({ files, gitOwnedPaths: ["./app/overlays/prod"] });
        const retained = (cloud: MockCloud) =>
            Object.fromEntries(cloud.ofType("github:index/repositoryFile:RepositoryFile").map((f) => [f.inputs.file, f.options.retainOnDelete]));
        assert.deepEqual(retained(archived.cloud), { "app/base/kustomization.yaml": true, "app/overlays/prod/kustomization.yaml": true });
        const deleted = await build({ files, gitOwnedPaths: ["./app/overlays/prod"], archiveOnDestroy: false });
        assert.deepEqual(retained(deleted.cloud), { "app/base/kustomization.yaml": true, "app/overlays/prod/kustomization.yaml": true });
    });

    it("refuses to create a repository that exists archived, before GitHub's 422, naming what to do", async () => {
        assert.equal(checkNotArchived("octo-org/cfg", undefined), undefined);
        assert.equal(checkNotArchived("octo-org/cfg", { archived: false }), undefined);
        const cloud = await useMockCloud(
            new MockCloud({ githubOwner: "octo-org", invokes: { "github:index/getRepository:getRepository": (inputs) => ({ id: "cfg", fullName: inputs.fullName, archived: true }) } }),
        );
        const repo = new ConfigRepository("config", { ...seed, name: "cfg" });
        await assert.rejects(
            (repo.repositoryName as unknown as { promise(): Promise<string> }).promise(),
            (e: unknown) =>
                e instanceof InputValidationError &&
                e.message.endsWith(
                    "ConfigRepository config: invalid input\n" +
                        '  - name = "cfg": repository octo-org/cfg already exists, archived (pulumi destroy archives rather than deletes): ' +
                        "unarchive it and use it with existing: true, delete or rename it on GitHub, or choose another name",
                ),
        );
        await settled(cloud);
        assert.equal(cloud.ofType("github:index/repository:Repository").length, 0);
        assert.deepEqual(cloud.invocations.find((i) => i.token === "github:index/getRepository:getRepository")?.inputs, { fullName: "octo-org/cfg" });
    });

    it("adds a read-only ed25519 deploy key by default and a writable one for image automation", async () => {
        const readOnly = await build();
        const key = readOnly.cloud.get("github:index/repositoryDeployKey:RepositoryDeployKey", "config-deploy-key").inputs;
        assert.equal(key.readOnly, true);
        assert.match(key.key, /^ssh-ed25519 AAAA[0-9A-Za-z+/]+=*$/);
        assert.equal(readOnly.cloud.get("tls:index/privateKey:PrivateKey", "config-deploy-key").inputs.algorithm, "ED25519");
        const writable = await build({ allowPush: true });
        assert.equal(writable.cloud.get("github:index/repositoryDeployKey:RepositoryDeployKey", "config-deploy-key").inputs.readOnly, false);
    });

    it("keeps the private key secret and derives key, fingerprint and deploy key from the same key resource", async () => {
        const { cloud, repo } = await build();
        assert.equal(await isSecretOutput(repo.privateKeyOpenssh), true);
        assert.match(await valueOf(repo.privateKeyOpenssh), /^-----BEGIN OPENSSH PRIVATE KEY-----\n/);
        const publicKey = await valueOf(repo.publicKeyOpenssh);
        assert.equal(cloud.get("github:index/repositoryDeployKey:RepositoryDeployKey", "config-deploy-key").inputs.key, publicKey.trim());
        assert.equal(await valueOf(repo.deployKeyFingerprint), fingerprintOf(publicKey));
    });

    it("builds known_hosts from GitHub's published keys, one line each", async () => {
        const { cloud, repo } = await build();
        assert.equal(await valueOf(repo.knownHosts), GITHUB_SSH_KEYS.map((k) => `github.com ${k}`).join("\n") + "\n");
        assert.ok(cloud.invocations.some((i) => i.token === "github:index/getSshKeys:getSshKeys"));
    });

    it("uses an existing repository and key without creating either", async () => {
        const { cloud, repo } = await build({ existing: true, existingKey: { privateKeyOpenssh: "-----BEGIN OPENSSH PRIVATE KEY-----\nx\n", publicKeyOpenssh: "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGiven" } });
        assert.equal(cloud.ofType("github:index/repository:Repository").length, 0);
        assert.equal(cloud.ofType("tls:index/privateKey:PrivateKey").length, 0);
        assert.equal(cloud.get("github:index/repositoryDeployKey:RepositoryDeployKey", "config-deploy-key").inputs.repository, "task-tool-cluster-config");
        assert.equal(await isSecretOutput(repo.privateKeyOpenssh), true);
        assert.equal(await valueOf(repo.deployKeyFingerprint), fingerprintOf("ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIGiven"));
    });

    it("commits files once where Git owns them, so Flux's tag commits are not reverted", async () => {
        const { cloud } = await build({
            files: { "app/base/kustomization.yaml": "resources: []\n", "app/overlays/prod/kustomization.yaml": "images: []\n" },
            gitOwnedPaths: ["./app/overlays/prod"],
        });
        const base = cloud.get("github:index/repositoryFile:RepositoryFile", "config-app/base/kustomization.yaml");
        const overlay = cloud.get("github:index/repositoryFile:RepositoryFile", "config-app/overlays/prod/kustomization.yaml");
        assert.deepEqual(overlay.options.ignoreChanges, ["content", "repository"]);
        assert.deepEqual(base.options.ignoreChanges, ["repository"]);
        assert.equal(overlay.inputs.branch, "main");
        assert.equal(overlay.inputs.content, "images: []\n");
        assert.equal(overlay.inputs.overwriteOnCreate, true);
        assert.ok(overlay.dependencies.includes(cloud.get("github:index/branchDefault:BranchDefault", "config-default-branch").urn));
    });

    it("creates another branch before making it the default", async () => {
        const { cloud } = await build({ branch: "gitops" });
        const branch = cloud.get("github:index/branch:Branch", "config-branch");
        assert.deepEqual([branch.inputs.branch, branch.inputs.sourceBranch], ["gitops", "main"]);
        assert.ok(cloud.get("github:index/branchDefault:BranchDefault", "config-default-branch").dependencies.includes(branch.urn));
    });

    it("rejects bad names, paths and weak keys, each with field, value and rule", async () => {
        const cloud = await useMockCloud(new MockCloud());
        assert.throws(
            () => new ConfigRepository("c", { owner: "-octo", name: "a b", branch: "feat..x", keyType: { algorithm: "rsa", bits: 2048 }, files: { "../escape.yaml": "x" } }),
            (error: unknown) => {
                assert.ok(error instanceof InputValidationError);
                assert.deepEqual(error.problems.map((p) => p.field), ["owner", "name", "branch", "keyType.bits", 'files["../escape.yaml"]']);
                assert.match(error.message, /keyType.bits = 2048: must be 3072 or more/);
                return true;
            },
        );
        await settled(cloud);
        assert.equal(cloud.resources.length, 0);
    });

    it("matches files under Git-owned paths", () => {
        assert.equal(isUnderPath("app/overlays/prod/kustomization.yaml", ["./app/overlays/prod"]), true);
        assert.equal(isUnderPath("app/overlays/prod/kustomization.yaml", ["app/overlays/prod/"]), true);
        assert.equal(isUnderPath("app/overlays/production/x.yaml", ["./app/overlays/prod"]), false);
        assert.equal(isUnderPath("anything.yaml", ["./"]), true);
    });
});
