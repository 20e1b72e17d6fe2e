import { validateKubernetesObject } from "../kubernetes-schema.js";
import type { KubernetesObject } from "./install-manifests.js";

const ECR_IMAGE = /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\//;

export function isEcrImage(image: string): boolean {
    return ECR_IMAGE.test(image);
}

/** The ImagePolicy of an app is named after the app; the overlay's setter markers name it too. */
export function imagePolicyName(app: string): string {
    return app;
}

export interface ImageRepositoryInput {
    name: string;
    namespace: string;
    image: string;
    interval: string;
    /** `aws` for ECR (the controller's IAM identity), `generic` otherwise. @default from the image host */
    provider?: "aws" | "generic";
    /** Talk plain HTTP to the registry (local registries only). */
    insecure?: boolean;
    secretName?: string;
}

export function imageRepository(input: ImageRepositoryInput): KubernetesObject {
    const object: KubernetesObject = {
        apiVersion: "image.toolkit.fluxcd.io/v1",
        kind: "ImageRepository",
        metadata: { name: input.name, namespace: input.namespace },
        spec: {
            image: input.image,
            interval: input.interval,
            provider: input.provider ?? (isEcrImage(input.image) ? "aws" : "generic"),
            ...(input.insecure ? { insecure: true } : {}),
            ...(input.secretName ? { secretRef: { name: input.secretName } } : {}),
        },
    };
    validateKubernetesObject(`ImageRepository ${input.name}`, object);
    return object;
}

/**
 * `IfNotPresent` reflects the chosen tag's digest once; enough where tags are immutable (the
 * registry's default here). Mutable tags would need `Always` with an interval.
 */
export type DigestReflectionPolicy = "IfNotPresent" | "Never";

export function imagePolicy(input: { name: string; namespace: string; imageRepository: string; semverRange: string; digestReflectionPolicy?: DigestReflectionPolicy }): KubernetesObject {
    const object: KubernetesObject = {
        apiVersion: "image.toolkit.fluxcd.io/v1",
        kind: "ImagePolicy",
        metadata: { name: input.name, namespace: input.namespace },
        spec: {
            imageRepositoryRef: { name: input.imageRepository },
            policy: { semver: { range: input.semverRange } },
            ...(input.digestReflectionPolicy && input.digestReflectionPolicy !== "Never" ? { digestReflectionPolicy: input.digestReflectionPolicy } : {}),
        },
    };
    validateKubernetesObject(`ImagePolicy ${input.name}`, object);
    return object;
}

export interface ImageUpdateAutomationInput {
    name: string;
    namespace: string;
    gitRepository: string;
    checkoutBranch: string;
    pushBranch: string;
    author: { name: string; email: string };
    messageTemplate: string;
    updatePath: string;
    interval: string;
}

export function imageUpdateAutomation(input: ImageUpdateAutomationInput): KubernetesObject {
    const object: KubernetesObject = {
        apiVersion: "image.toolkit.fluxcd.io/v1",
        kind: "ImageUpdateAutomation",
        metadata: { name: input.name, namespace: input.namespace },
        spec: {
            interval: input.interval,
            sourceRef: { kind: "GitRepository", name: input.gitRepository },
            git: {
                checkout: { ref: { branch: input.checkoutBranch } },
                commit: { author: { name: input.author.name, email: input.author.email }, messageTemplate: input.messageTemplate },
                push: { branch: input.pushBranch },
            },
            update: { path: input.updatePath, strategy: "Setters" },
        },
    };
    validateKubernetesObject(`ImageUpdateAutomation ${input.name}`, object);
    return object;
}
