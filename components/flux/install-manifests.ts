import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { assertValid, checkKubernetesLabelName, type Problem } from "../validate.js";
import { controllerImage, FLUX_CONTROLLERS, FLUX_RELEASES, type FluxController } from "./release.js";
import { VENDORED_JSON, type VendoredRelease } from "./vendored-yaml.js";

export interface KubernetesObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; labels?: Record<string, string>; annotations?: Record<string, string> };
    [field: string]: any;
}

export interface FluxInstallOptions {
    version: string;
    namespace: string;
    controllers: FluxController[];
    /** Extra annotations per controller's service account (e.g. the IRSA role). */
    serviceAccountAnnotations: Partial<Record<FluxController, Record<string, string>>>;
    /** `--no-cross-namespace-refs=true` on the controllers that take it (multi-tenancy lockdown). */
    noCrossNamespaceRefs: boolean;
    /** `--default-service-account` for kustomize- and helm-controller (multi-tenancy lockdown). */
    defaultServiceAccount?: string;
    /** Flux's NetworkPolicies: pods in the namespace talk to each other, webhooks and metrics come in. */
    networkPolicies: boolean;
    logLevel: "debug" | "info" | "error";
}

export interface FluxInstallManifests {
    namespace: KubernetesObject;
    crds: KubernetesObject[];
    /** Everything else: service accounts, RBAC, deployments, services, network policies. */
    objects: KubernetesObject[];
}

/** Controllers that accept `--no-cross-namespace-refs`. */
const CROSS_NAMESPACE_FLAG: readonly FluxController[] = [
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
];
const SYSTEM_CRITICAL: readonly FluxController[] = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"];
const CLUSTER_SCOPED = new Set(["ClusterRole", "ClusterRoleBinding"]);

const vendorRoot = fileURLToPath(new URL("./vendor/", import.meta.url));
const parsedReleases = new Map<string, VendoredRelease>();

/** The vendored files of a release (their JSON copy), parsed once per process. */
export function vendoredRelease(version: string): VendoredRelease {
    const cached = parsedReleases.get(version);
    if (cached) {
        return cached;
    }
    const release: VendoredRelease = JSON.parse(fs.readFileSync(`${vendorRoot}${version}/${VENDORED_JSON}`, "utf8"));
    parsedReleases.set(version, release);
    return release;
}

export function checkFluxInstallOptions(options: FluxInstallOptions): Problem[] {
    const problems: Problem[] = [];
    if (!FLUX_RELEASES[options.version]) {
        problems.push({ field: "version", value: options.version, rule: `must be a vendored Flux release: ${Object.keys(FLUX_RELEASES).join(", ")} (add one with npm run vendor:flux)` });
    }
    const namespace = checkKubernetesLabelName("namespace", options.namespace);
    if (namespace) {
        problems.push(namespace);
    }
    for (const controller of options.controllers) {
        if (!(FLUX_CONTROLLERS as readonly string[]).includes(controller)) {
            problems.push({ field: "controllers", value: controller, rule: `must be one of ${FLUX_CONTROLLERS.join(", ")}` });
        }
    }
    if (options.controllers.includes("image-automation-controller") && !options.controllers.includes("image-reflector-controller")) {
        problems.push({ field: "controllers", value: options.controllers, rule: "image-automation-controller needs image-reflector-controller" });
    }
    if (options.defaultServiceAccount !== undefined) {
        const account = checkKubernetesLabelName("defaultServiceAccount", options.defaultServiceAccount);
        if (account) {
            problems.push(account);
        }
    }
    return problems;
}

function labelsFor(options: FluxInstallOptions, component?: string): Record<string, string> {
    return {
        "app.kubernetes.io/part-of": "flux",
        "app.kubernetes.io/instance": options.namespace,
        "app.kubernetes.io/version": `v${options.version}`,
        ...(component ? { "app.kubernetes.io/component": component } : {}),
    };
}

function withMetadata(object: KubernetesObject, options: FluxInstallOptions, component?: string): KubernetesObject {
    const copy = structuredClone(object);
    copy.metadata.labels = { ...copy.metadata.labels, ...labelsFor(options, component) };
    if (CLUSTER_SCOPED.has(copy.kind)) {
        copy.metadata.name = `${copy.metadata.name}-${options.namespace}`;
    } else if (copy.kind !== "CustomResourceDefinition" && copy.kind !== "Namespace") {
        copy.metadata.namespace = options.namespace;
    }
    return copy;
}

function controllerArgs(controller: FluxController, upstream: string[], options: FluxInstallOptions): string[] {
    const args = upstream.filter((arg) => !arg.startsWith("--log-level="));
    const extra = [`--log-level=${options.logLevel}`];
    if (controller !== "notification-controller") {
        extra.unshift(`--events-addr=http://notification-controller.${options.namespace}.svc.cluster.local./`);
    }
    if (controller === "kustomize-controller") {
        extra.push("--no-remote-bases=true");
    }
    if (options.noCrossNamespaceRefs && CROSS_NAMESPACE_FLAG.includes(controller)) {
        extra.push("--no-cross-namespace-refs=true");
    }
    if (options.defaultServiceAccount && (controller === "kustomize-controller" || controller === "helm-controller")) {
        extra.push(`--default-service-account=${options.defaultServiceAccount}`);
    }
    return [...extra, ...args].filter((arg) => !arg.startsWith("--insecure-kubeconfig"));
}

function deployment(controller: FluxController, upstream: KubernetesObject, options: FluxInstallOptions): KubernetesObject {
    const object = withMetadata(upstream, options, controller);
    const release = FLUX_RELEASES[options.version];
    const pod = object.spec.template;
    pod.metadata.labels = { ...pod.metadata.labels, ...labelsFor(options, controller) };
    pod.spec.serviceAccountName = controller;
    if (SYSTEM_CRITICAL.includes(controller)) {
        pod.spec.priorityClassName = "system-cluster-critical";
    }
    const [manager, ...others] = pod.spec.containers;
    pod.spec.containers = [
        {
            ...manager,
            image: controllerImage(controller, release),
            args: controllerArgs(controller, manager.args ?? [], options),
            env: [
                ...(manager.env ?? []),
                { name: "GOMEMLIMIT", valueFrom: { resourceFieldRef: { containerName: "manager", resource: "limits.memory" } } },
            ],
        },
        ...others,
    ];
    return object;
}

/**
 * Every Kubernetes object of a Flux install, from the vendored upstream manifests: what
 * `flux install` would apply for these controllers, plus the hardening flags and annotations asked for.
 */
export function buildFluxInstall(options: FluxInstallOptions): FluxInstallManifests {
    assertValid("FluxInstall", [checkFluxInstallOptions(options)]);
    const vendored = vendoredRelease(options.version);
    const enabled = FLUX_CONTROLLERS.filter((c) => options.controllers.includes(c));
    const namespace: KubernetesObject = {
        apiVersion: "v1",
        kind: "Namespace",
        metadata: {
            name: options.namespace,
            labels: { ...labelsFor(options), "pod-security.kubernetes.io/warn": "restricted", "pod-security.kubernetes.io/warn-version": "latest" },
        },
    };
    const crds = enabled.flatMap((controller) => vendored.crds[controller].map((crd) => withMetadata(crd, options, controller)));
    const objects: KubernetesObject[] = [];
    for (const controller of enabled) {
        const account = withMetadata({ apiVersion: "v1", kind: "ServiceAccount", metadata: { name: controller } }, options, controller);
        const annotations = options.serviceAccountAnnotations[controller];
        if (annotations && Object.keys(annotations).length > 0) {
            account.metadata.annotations = { ...annotations };
        }
        objects.push(account);
        for (const upstream of vendored.manager[controller]) {
            objects.push(upstream.kind === "Deployment" ? deployment(controller, upstream, options) : withMetadata(upstream, options, controller));
        }
    }
    for (const upstream of vendored.rbac) {
        const object = withMetadata(upstream, options);
        if (object.roleRef?.kind === "ClusterRole" && object.roleRef.name !== "cluster-admin") {
            object.roleRef = { ...object.roleRef, name: `${object.roleRef.name}-${options.namespace}` };
        }
        if (Array.isArray(object.subjects)) {
            object.subjects = object.subjects
                .filter((subject: { name: string }) => (enabled as string[]).includes(subject.name))
                .map((subject: object) => ({ ...subject, namespace: options.namespace }));
        }
        objects.push(object);
    }
    if (options.networkPolicies) {
        objects.push(...vendored.policies.map((policy) => withMetadata(policy, options)));
    }
    return { namespace, crds, objects };
}
