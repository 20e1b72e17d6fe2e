import { validateKubernetesObject } from "../kubernetes-schema.js";
import type { KubernetesObject } from "./install-manifests.js";

/** What Flux does with the applied objects when the Kustomization itself is deleted. */
export const KUSTOMIZATION_DELETION_POLICIES = ["Orphan", "Delete", "WaitForTermination", "MirrorPrune"] as const;
export type KustomizationDeletionPolicy = (typeof KUSTOMIZATION_DELETION_POLICIES)[number];

export interface KustomizationInput {
    name: string;
    namespace: string;
    sourceRef: { kind: "GitRepository" | "OCIRepository" | "Bucket"; name: string; namespace?: string };
    path: string;
    interval: string;
    prune: boolean;
    deletionPolicy?: KustomizationDeletionPolicy;
    targetNamespace?: string;
    timeout?: string;
    retryInterval?: string;
    wait?: boolean;
    healthChecks?: Array<{ apiVersion?: string; kind: string; name: string; namespace?: string }>;
    dependsOn?: Array<{ name: string; namespace?: string }>;
    annotations?: Record<string, string>;
}

export function kustomization(input: KustomizationInput): KubernetesObject {
    const object: KubernetesObject = {
        apiVersion: "kustomize.toolkit.fluxcd.io/v1",
        kind: "Kustomization",
        metadata: { name: input.name, namespace: input.namespace, ...(input.annotations ? { annotations: input.annotations } : {}) },
        spec: {
            sourceRef: input.sourceRef,
            path: input.path,
            interval: input.interval,
            prune: input.prune,
            ...(input.deletionPolicy ? { deletionPolicy: input.deletionPolicy } : {}),
            ...(input.targetNamespace ? { targetNamespace: input.targetNamespace } : {}),
            ...(input.timeout ? { timeout: input.timeout } : {}),
            ...(input.retryInterval ? { retryInterval: input.retryInterval } : {}),
            ...(input.wait !== undefined ? { wait: input.wait } : {}),
            ...(input.healthChecks && input.healthChecks.length > 0 ? { healthChecks: input.healthChecks } : {}),
            ...(input.dependsOn && input.dependsOn.length > 0 ? { dependsOn: input.dependsOn } : {}),
        },
    };
    validateKubernetesObject(`Kustomization ${input.name}`, object);
    return object;
}
