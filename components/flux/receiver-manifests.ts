import { createHash } from "node:crypto";
import { validateKubernetesObject } from "../kubernetes-schema.js";
import type { KubernetesObject } from "./install-manifests.js";

/** The path notification-controller serves a Receiver on: /hook/ + sha256(token + name + namespace). */
export function receiverWebhookPath(token: string, name: string, namespace: string): string {
    return `/hook/${createHash("sha256").update(token + name + namespace).digest("hex")}`;
}

export function githubReceiver(input: { name: string; namespace: string; secretName: string; gitRepository: string }): KubernetesObject {
    const object: KubernetesObject = {
        apiVersion: "notification.toolkit.fluxcd.io/v1",
        kind: "Receiver",
        metadata: { name: input.name, namespace: input.namespace },
        spec: {
            type: "github",
            events: ["ping", "push"],
            secretRef: { name: input.secretName },
            resources: [{ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: input.gitRepository }],
        },
    };
    validateKubernetesObject(`Receiver ${input.name}`, object);
    return object;
}
