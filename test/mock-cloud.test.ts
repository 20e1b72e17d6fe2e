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
