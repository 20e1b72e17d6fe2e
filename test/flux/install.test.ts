import { strict as assert } from "node:assert";
import { FluxInstall } from "../../components/flux/install.js";
import { buildFluxInstall, type FluxInstallOptions } from "../../components/flux/install-manifests.js";
import { FLUX_CONTROLLERS, FLUX_RELEASES } from "../../components/flux/release.js";
import { validateKubernetesObject } from "../../components/kubernetes-schema.js";
import { InputValidationError } from "../../components/validate.js";
import { MockCloud, settled, useMockCloud, valueOf } from "../../testing/mock-cloud.js";

const all: FluxInstallOptions = {
    version: "2.9.0",
    namespace: "flux-system",
    controllers: [...FLUX_CONTROLLERS],
    serviceAccountAnnotations: {},
    noCrossNamespaceRefs: false,
    networkPolicies: true,
    logLevel: "info",
};

const deployments = (options: FluxInstallOptions) => buildFluxInstall(options).objects.filter((o) => o.kind === "Deployment");
const argsOf = (options: FluxInstallOptions, controller: string) =>
    deployments(options).find((d) => d.metadata.name === controller)!.spec.template.spec.containers[0].args as string[];

describe("Flux install manifests", () => {
    it("runs each controller from its pinned ghcr.io image", () => {
        const release = FLUX_RELEASES["2.9.0"];
        assert.deepEqual(
            deployments(all).map((d) => d.spec.template.spec.containers[0].image),
            FLUX_CONTROLLERS.map((c) => `ghcr.io/fluxcd/${c}:${release.controllers[c]}`),
        );
        assert.equal(release.controllers["source-controller"], "v1.9.0");
        assert.equal(release.controllers["image-automation-controller"], "v1.2.0");
    });

    it("hardens kustomize-controller with --no-remote-bases=true and never passes --insecure-kubeconfig flags", () => {
        assert.ok(argsOf(all, "kustomize-controller").includes("--no-remote-bases=true"));
        for (const deployment of deployments(all)) {
            for (const container of deployment.spec.template.spec.containers) {
                assert.ok(!(container.args ?? []).some((a: string) => a.startsWith("--insecure-kubeconfig")), deployment.metadata.name);
                assert.equal(container.securityContext.runAsNonRoot, true);
                assert.equal(container.securityContext.readOnlyRootFilesystem, true);
                assert.deepEqual(container.securityContext.capabilities.drop, ["ALL"]);
            }
        }
        const locked = { ...all, noCrossNamespaceRefs: true, defaultServiceAccount: "default" };
        assert.ok(argsOf(locked, "helm-controller").includes("--no-cross-namespace-refs=true"));
        assert.ok(argsOf(locked, "kustomize-controller").includes("--default-service-account=default"));
        assert.ok(!argsOf(locked, "source-controller").includes("--no-cross-namespace-refs=true"));
    });

    it("sends events to notification-controller in the chosen namespace", () => {
        const elsewhere = { ...all, namespace: "gitops" };
        assert.ok(argsOf(elsewhere, "source-controller").includes("--events-addr=http://notification-controller.gitops.svc.cluster.local./"));
        assert.ok(!argsOf(elsewhere, "notification-controller").some((a) => a.startsWith("--events-addr")));
        const manifests = buildFluxInstall(elsewhere);
        assert.ok(manifests.objects.filter((o) => !o.kind.startsWith("Cluster")).every((o) => o.metadata.namespace === "gitops"));
        const binding = manifests.objects.find((o) => o.metadata.name === "cluster-reconciler-gitops")!;
        assert.deepEqual(binding.subjects, [
            { kind: "ServiceAccount", name: "kustomize-controller", namespace: "gitops" },
            { kind: "ServiceAccount", name: "helm-controller", namespace: "gitops" },
        ]);
        assert.equal(manifests.objects.find((o) => o.metadata.name === "crd-controller-gitops" && o.kind === "ClusterRoleBinding")!.roleRef.name, "crd-controller-gitops");
    });

    it("leaves out the image controllers and their CRDs unless asked", () => {
        const basic = buildFluxInstall({ ...all, controllers: ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"] });
        assert.deepEqual(basic.objects.filter((o) => o.kind === "Deployment").map((o) => o.metadata.name), ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"]);
        assert.ok(!basic.crds.some((c) => c.spec.group === "image.toolkit.fluxcd.io"));
        const kinds = buildFluxInstall(all).crds.map((c) => c.spec.names.kind);
        for (const kind of ["GitRepository", "Kustomization", "HelmRelease", "Receiver", "ImageRepository", "ImagePolicy", "ImageUpdateAutomation"]) {
            assert.ok(kinds.includes(kind), kind);
        }
        for (const crd of buildFluxInstall(all).crds.filter((c) => ["GitRepository", "Kustomization", "ImagePolicy", "ImageRepository", "ImageUpdateAutomation", "Receiver"].includes(c.spec.names.kind))) {
            assert.ok(crd.spec.versions.some((v: { name: string; served: boolean; storage: boolean }) => v.name === "v1" && v.served && v.storage), crd.metadata.name);
        }
    });

    it("produces only objects that validate against their Kubernetes schema", () => {
        const manifests = buildFluxInstall({ ...all, serviceAccountAnnotations: { "image-reflector-controller": { "eks.amazonaws.com/role-arn": "arn:aws:iam::1:role/r" } } });
        for (const object of [manifests.namespace, ...manifests.crds, ...manifests.objects]) {
            validateKubernetesObject("test", object);
        }
        assert.equal(manifests.objects.length + manifests.crds.length + 1, 38);
    });

    it("rejects an unknown version and a bad namespace with field, value and rule", () => {
        assert.throws(
            () => buildFluxInstall({ ...all, version: "2.10.0", namespace: "Flux" }),
            (e: unknown) =>
                e instanceof InputValidationError &&
                /version = "2.10.0": must be a vendored Flux release: 2.9.0 \(add one with npm run vendor:flux\)/.test(e.message) &&
                /namespace = "Flux": must be a Kubernetes name/.test(e.message),
        );
        assert.throws(() => buildFluxInstall({ ...all, controllers: ["image-automation-controller"] }), /image-automation-controller needs image-reflector-controller/);
    });
});

describe("FluxInstall", () => {
    it("installs in dependency order and annotates image-reflector-controller's service account", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const flux = new FluxInstall("flux", { imageAutomation: true, imageReflectorServiceAccountAnnotations: { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/flux-ecr" } });
        assert.deepEqual(await valueOf(flux.controllers), [...FLUX_CONTROLLERS]);
        await settled(cloud);
        const account = cloud.get("kubernetes:core/v1:ServiceAccount", "flux-serviceaccount-flux-system-image-reflector-controller");
        assert.deepEqual(account.inputs.metadata.annotations, { "eks.amazonaws.com/role-arn": "arn:aws:iam::123456789012:role/flux-ecr" });
        const deployment = cloud.get("kubernetes:apps/v1:Deployment", "flux-deployment-flux-system-kustomize-controller");
        const crd = cloud.get("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "flux-customresourcedefinition-kustomizations.kustomize.toolkit.fluxcd.io");
        assert.ok(deployment.dependencies.includes(crd.urn), "controllers start after their CRDs");
        assert.ok(deployment.inputs.spec.template.spec.containers[0].args.includes("--no-remote-bases=true"));
        assert.equal(deployment.options.customTimeouts?.create, "300s");
        assert.equal(cloud.ofType("kubernetes:apps/v1:Deployment").length, 6);
    });

    it("keeps CRDs and the namespace on destroy by default, so no finalizer is left without its controller", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new FluxInstall("flux");
        await settled(cloud);
        const crds = cloud.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
        assert.ok(crds.length > 0 && crds.every((c) => c.options.retainOnDelete));
        assert.equal(cloud.get("kubernetes:core/v1:Namespace", "flux-namespace-flux-system").options.retainOnDelete, true);
        assert.ok(cloud.ofType("kubernetes:apps/v1:Deployment").every((d) => !d.options.retainOnDelete));
        assert.ok(!crds.some((c) => c.inputs.spec.group === "image.toolkit.fluxcd.io"));

        const cleanup = await useMockCloud(new MockCloud());
        new FluxInstall("flux", { retainCrdsAndNamespaceOnDestroy: false });
        await settled(cleanup);
        assert.ok(cleanup.ofType("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition").every((c) => !c.options.retainOnDelete));
    });
});
