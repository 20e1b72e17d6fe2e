import { createHash } from "node:crypto";
import { validateKubernetesObject } from "../kubernetes-schema.js";
import { assertValid, type Problem } from "../validate.js";
import type { OidcProvider } from "./github-actions-oidc.js";
import type { KubernetesObject } from "./install-manifests.js";
import { readinessAnnotations } from "./readiness.js";

/** How long `pulumi up` waits for a Receiver to be Ready unless told: initialising one is quick. */
export const DEFAULT_RECEIVER_READY_TIMEOUT = "2m";

/** The path notification-controller serves a Receiver on: /hook/ + sha256(token + name + namespace). */
export function receiverWebhookPath(token: string, name: string, namespace: string): string {
    return `/hook/${createHash("sha256").update(token + name + namespace).digest("hex")}`;
}

/**
 * A Receiver for GitHub's push event. `readyTimeout` (a Go duration): how long `pulumi up` waits for
 * notification-controller to report it Ready, which is when it serves the webhook path.
 */
export function githubReceiver(input: { name: string; namespace: string; secretName: string; gitRepository: string; readyTimeout: string }): KubernetesObject {
    const object: KubernetesObject = {
        apiVersion: "notification.toolkit.fluxcd.io/v1",
        kind: "Receiver",
        metadata: { name: input.name, namespace: input.namespace, annotations: readinessAnnotations(input.readyTimeout) },
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

/** Receiver types a registry or CI can call without a Git host's signature: the path is the secret (generic), plus an HMAC of the body (generic-hmac), or an OIDC token instead of a secret (generic-oidc). */
export const IMAGE_PUSH_RECEIVER_TYPES = ["generic", "generic-hmac", "generic-oidc"] as const;
export type ImagePushReceiverType = (typeof IMAGE_PUSH_RECEIVER_TYPES)[number];

export interface ImagePushReceiverInput {
    name: string;
    namespace: string;
    type: ImagePushReceiverType;
    /** The token Secret; every type but generic-oidc needs one. */
    secretName?: string;
    /** ImageRepositories in the Receiver's namespace, rescanned on every call. */
    imageRepositories: string[];
    /** generic-oidc only. */
    oidcProviders?: OidcProvider[];
    /** How long `pulumi up` waits for the Receiver to be Ready (its path served), a Go duration. */
    readyTimeout: string;
}

/**
 * The Receiver's cross-field rules, which its CRD states as CEL (`x-kubernetes-validations`, not
 * checked by the schema validator) and notification-controller v1.9 enforces again when it reconciles.
 */
export function checkReceiverSpecRules(spec: { type: string; secretRef?: unknown; oidcProviders?: unknown[] }): Problem[] {
    const oidc = spec.type === "generic-oidc";
    const providers = spec.oidcProviders?.length ?? 0;
    const problems: Array<Problem | undefined> = [
        oidc && providers === 0 ? { field: "spec.oidcProviders", value: spec.oidcProviders ?? null, rule: "generic-oidc receivers must define at least one oidcProvider" } : undefined,
        !oidc && providers > 0 ? { field: "spec.oidcProviders", value: spec.oidcProviders, rule: "oidcProviders can only be set when type is generic-oidc" } : undefined,
        oidc && spec.secretRef !== undefined ? { field: "spec.secretRef", value: spec.secretRef, rule: "secretRef cannot be set when type is generic-oidc" } : undefined,
        !oidc && spec.secretRef === undefined ? { field: "spec.secretRef", value: null, rule: "secretRef is required when type is not generic-oidc" } : undefined,
    ];
    return problems.filter((p): p is Problem => p !== undefined);
}

/** A Receiver that asks for a rescan of exactly these ImageRepositories when a registry or CI calls it. */
export function imagePushReceiver(input: ImagePushReceiverInput): KubernetesObject {
    const spec = {
        type: input.type,
        ...(input.secretName !== undefined ? { secretRef: { name: input.secretName } } : {}),
        ...(input.oidcProviders !== undefined ? { oidcProviders: input.oidcProviders } : {}),
        resources: input.imageRepositories.map((name) => ({ apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImageRepository", name })),
    };
    assertValid(`Receiver ${input.name}`, [checkReceiverSpecRules(spec)]);
    const object: KubernetesObject = {
        apiVersion: "notification.toolkit.fluxcd.io/v1",
        kind: "Receiver",
        metadata: { name: input.name, namespace: input.namespace, annotations: readinessAnnotations(input.readyTimeout) },
        spec,
    };
    validateKubernetesObject(`Receiver ${input.name}`, object);
    return object;
}
