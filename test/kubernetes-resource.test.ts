import { strict as assert } from "node:assert";
import { buildFluxInstall } from "../components/flux/install-manifests.js";
import { kubernetesResource, kubernetesTypeToken } from "../components/kubernetes-resource.js";
import { fluxInstallOptions } from "../components/flux/install.js";
import { MockCloud, settled, useMockCloud } from "../testing/mock-cloud.js";

/** What pulumi-kubernetes accepts: the token's module is `<group>/<version>`, `core/v1` for the core group. */
const PROVIDER_TOKEN = /^kubernetes:[a-z0-9.-]+\/v[0-9]+(?:(?:alpha|beta)[0-9]+)?:[A-Z][A-Za-z0-9]*$/;

describe("kubernetesResource", () => {
    it("registers every Flux install object under a token with group and version", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const manifests = buildFluxInstall(fluxInstallOptions({ imageAutomation: true }));
        const objects = [manifests.namespace, ...manifests.crds, ...manifests.objects];
        objects.forEach((object, i) => kubernetesResource(`o${i}`, object, {}));
        await settled(cloud);
        const types = cloud.resources.map((r) => r.type);
        assert.equal(types.length, objects.length);
        for (const type of types) {
            assert.match(type, PROVIDER_TOKEN);
        }
        assert.deepEqual(
            [...new Set(types)].filter((t) => t.startsWith("kubernetes:core/")).sort(),
            ["kubernetes:core/v1:Namespace", "kubernetes:core/v1:Service", "kubernetes:core/v1:ServiceAccount"],
        );
        assert.deepEqual([...types].sort(), objects.map((o) => kubernetesTypeToken(o.apiVersion, o.kind)).sort());
    });

    it("keeps the Flux kinds as custom resources of their group", async () => {
        const cloud = await useMockCloud(new MockCloud());
        kubernetesResource("repo", { apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", metadata: { name: "r" }, spec: {} }, {});
        await settled(cloud);
        assert.equal(cloud.resources[0].type, "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository");
    });

    it("refuses a core kind it has no class for instead of registering kubernetes:v1:<Kind>", () => {
        assert.throws(
            () => kubernetesResource("pod", { apiVersion: "v1", kind: "Pod", metadata: { name: "p" } }, {}),
            /Pod \(apiVersion v1\) has no typed class in kubernetesResource/,
        );
    });

    it("names the token of a core kind core/v1", () => {
        assert.equal(kubernetesTypeToken("v1", "Secret"), "kubernetes:core/v1:Secret");
        assert.equal(kubernetesTypeToken("apps/v1", "Deployment"), "kubernetes:apps/v1:Deployment");
    });
});
