import { strict as assert } from "node:assert";
import * as pulumi from "@pulumi/pulumi";
import * as k8s from "@pulumi/kubernetes";
import { MockCloud, settled, unwrapSecrets, useMockCloud } from "../testing/mock-cloud.js";

describe("MockCloud", () => {
    it("records inputs with secrets unwrapped and remembers where the secrets were", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new k8s.core.v1.Secret("ssh", {
            metadata: { name: "task-tool-ssh-key" },
            stringData: { identity: pulumi.secret("PRIVATE"), known_hosts: "github.com ssh-ed25519 AAAA" },
        });
        await settled(cloud);
        const secret = cloud.get("kubernetes:core/v1:Secret", "ssh");
        assert.deepEqual(secret.inputs.stringData, { identity: "PRIVATE", known_hosts: "github.com ssh-ed25519 AAAA" });
        assert.deepEqual(secret.secretPaths, ["stringData"]);
        assert.equal(secret.id, "ssh-id");
    });

    it("fails loudly on an invoke it does not know", async () => {
        const cloud = await useMockCloud(new MockCloud());
        assert.throws(() => cloud.call({ token: "aws:index/unknown:unknown", inputs: {} }), /unexpected invoke aws:index\/unknown:unknown/);
    });

    it("unwraps nested secret wrappers inside arrays", () => {
        const paths: string[] = [];
        const wrapped = { [pulumi.runtime.specialSigKey]: pulumi.runtime.specialSecretSig, value: "x" };
        assert.deepEqual(unwrapSecrets({ list: [1, wrapped] }, "", paths), { list: [1, "x"] });
        assert.deepEqual(paths, ["list[1]"]);
    });
});

describe("MockCloud engine view", () => {
    it("records URN, parent, dependencies and options of each resource", async () => {
        const cloud = await useMockCloud(new MockCloud());
        class Holder extends pulumi.ComponentResource {
            constructor(name: string) {
                super("test:index:Holder", name, {}, {});
                this.registerOutputs({});
            }
        }
        const holder = new Holder("h");
        const first = new k8s.core.v1.Namespace("ns", { metadata: { name: "prod" } }, { parent: holder, retainOnDelete: true });
        new k8s.core.v1.ConfigMap(
            "cm",
            { metadata: { name: "x", namespace: "prod" }, data: { a: "b" } },
            { parent: holder, dependsOn: [first], ignoreChanges: ["data"], customTimeouts: { create: "5m" } },
        );
        await settled(cloud);
        const ns = cloud.get("kubernetes:core/v1:Namespace", "ns");
        const cm = cloud.get("kubernetes:core/v1:ConfigMap", "cm");
        assert.equal(ns.urn, "urn:pulumi:test::eks-flux-gitops::test:index:Holder$kubernetes:core/v1:Namespace::ns");
        assert.equal(ns.parent, "urn:pulumi:test::eks-flux-gitops::test:index:Holder::h");
        assert.equal(ns.options.retainOnDelete, true);
        assert.deepEqual(cm.dependencies, [ns.urn]);
        assert.deepEqual(cm.options.ignoreChanges, ["data"]);
        assert.equal(cm.options.customTimeouts?.create, "5m");
        assert.equal(cm.options.retainOnDelete, false);
    });
});
