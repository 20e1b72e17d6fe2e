import { strict as assert } from "node:assert";
import { parse } from "yaml";
import type { RecordedResource } from "../testing/mock-cloud.js";
import {
    keyInputs,
    kubernetesManifests,
    maskSecrets,
    planResources,
    renderTree,
    repositoryFiles,
    SECRET_MASK,
} from "../stack/plan-report.js";

const STACK = "urn:pulumi:prod::eks-flux-gitops::pulumi:pulumi:Stack::eks-flux-gitops-prod";

function recorded(partial: Partial<RecordedResource> & Pick<RecordedResource, "type" | "name" | "inputs">): RecordedResource {
    return {
        id: `${partial.name}-id`,
        urn: `urn:pulumi:prod::eks-flux-gitops::${partial.type}::${partial.name}`,
        custom: true,
        secretPaths: [],
        dependencies: [],
        options: { protect: false, retainOnDelete: false, ignoreChanges: [], additionalSecretOutputs: [], deleteBeforeReplace: false },
        parent: STACK,
        ...partial,
    };
}

const secret = recorded({
    type: "kubernetes:core/v1:Secret",
    name: "ssh",
    inputs: {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: "task-tool-ssh-key", namespace: "flux-system" },
        stringData: { identity: "-----BEGIN OPENSSH PRIVATE KEY-----", known_hosts: "github.com ssh-ed25519 AAAA" },
    },
    secretPaths: ["stringData.identity"],
});
const file = recorded({
    type: "github:index/repositoryFile:RepositoryFile",
    name: "overlay",
    inputs: { file: "app/overlays/prod/kustomization.yaml", content: "images: []\n", branch: "main" },
});
const provider = recorded({ type: "pulumi:providers:kubernetes", name: "k8s", inputs: { kubeconfig: "{}" }, secretPaths: ["kubeconfig"] });

describe("plan report", () => {
    it("masks secret values at their paths and leaves the rest", () => {
        const masked = maskSecrets(secret.inputs, secret.secretPaths) as any;
        assert.equal(masked.stringData.identity, SECRET_MASK);
        assert.equal(masked.stringData.known_hosts, "github.com ssh-ed25519 AAAA");
        assert.equal((secret.inputs as any).stringData.identity, "-----BEGIN OPENSSH PRIVATE KEY-----", "the record is not modified");
        assert.deepEqual(maskSecrets({ a: 1, b: "x" }, [""]), { a: SECRET_MASK, b: SECRET_MASK });
    });

    it("lists resources with urn, type, name and masked inputs unless secrets are shown", () => {
        const [entry] = planResources([secret], { showSecrets: false });
        assert.equal(entry.urn, secret.urn);
        assert.equal(entry.parent, STACK);
        assert.equal((entry.inputs as any).stringData.identity, SECRET_MASK);
        const [shown] = planResources([secret], { showSecrets: true });
        assert.equal((shown.inputs as any).stringData.identity, "-----BEGIN OPENSSH PRIVATE KEY-----");
    });

    it("writes one YAML file per Kubernetes object, skipping providers", () => {
        const files = kubernetesManifests([provider, secret, file], { showSecrets: false });
        assert.deepEqual(files.map((f) => f.path), ["flux-system/Secret-task-tool-ssh-key.yaml"]);
        const object = parse(files[0].content);
        assert.equal(object.kind, "Secret");
        assert.equal(object.stringData.identity, SECRET_MASK);
    });

    it("collects the repository files byte for byte", () => {
        assert.deepEqual(repositoryFiles([secret, file]), [{ path: "app/overlays/prod/kustomization.yaml", content: "images: []\n" }]);
    });

    it("summarises key inputs and draws the tree by parent", () => {
        assert.deepEqual(keyInputs(secret.inputs), ["name=task-tool-ssh-key", "kind=Secret", "namespace=flux-system"]);
        const component = recorded({ type: "eks-flux-gitops:flux:GitSource", name: "task-tool", inputs: {}, custom: false });
        const child = { ...secret, parent: component.urn };
        const tree = renderTree(planResources([component, child], { showSecrets: false }));
        assert.equal(
            tree,
            "+ eks-flux-gitops:flux:GitSource  task-tool\n    + kubernetes:core/v1:Secret  ssh  name=task-tool-ssh-key kind=Secret namespace=flux-system",
        );
    });

    it("refuses one Kubernetes object created by two resources instead of hiding one file", () => {
        const again = recorded({ ...secret, name: "ssh-again", urn: "urn:pulumi:prod::eks-flux-gitops::kubernetes:core/v1:Secret::ssh-again" });
        assert.throws(
            () => kubernetesManifests([secret, again], { showSecrets: false }),
            (error: Error) =>
                error.message ===
                "the Kubernetes object flux-system/Secret-task-tool-ssh-key is created by 2 resources (urn:pulumi:prod::eks-flux-gitops::kubernetes:core/v1:Secret::ssh, urn:pulumi:prod::eks-flux-gitops::kubernetes:core/v1:Secret::ssh-again); each object must have one owner",
        );
    });
});
