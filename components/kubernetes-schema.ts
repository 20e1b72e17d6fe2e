import { ImagePolicy } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImagePolicy";
import { ImageRepository } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageRepository";
import { ImageUpdateAutomation } from "@kubernetes-models/flux-cd/image.toolkit.fluxcd.io/v1/ImageUpdateAutomation";
import { Kustomization } from "@kubernetes-models/flux-cd/kustomize.toolkit.fluxcd.io/v1/Kustomization";
import { GitRepository } from "@kubernetes-models/flux-cd/source.toolkit.fluxcd.io/v1/GitRepository";
import { CustomResourceDefinition } from "kubernetes-models/apiextensions.k8s.io/v1/CustomResourceDefinition";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { NetworkPolicy } from "kubernetes-models/networking.k8s.io/v1/NetworkPolicy";
import { ClusterRole } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRole";
import { ClusterRoleBinding } from "kubernetes-models/rbac.authorization.k8s.io/v1/ClusterRoleBinding";
import { ConfigMap } from "kubernetes-models/v1/ConfigMap";
import { Namespace } from "kubernetes-models/v1/Namespace";
import { Secret } from "kubernetes-models/v1/Secret";
import { Service } from "kubernetes-models/v1/Service";
import { ServiceAccount } from "kubernetes-models/v1/ServiceAccount";
import { vendoredCrdModel } from "./flux/crd-schema.js";
import { assertValid } from "./validate.js";

type Model = new (data: any) => { validate(): void };

/**
 * The typed models (generated from the real OpenAPI and CRD schemas, validators compiled once at
 * build time by kubernetes-models) for every kind this library generates, by `apiVersion/kind`; the
 * Receiver from the pinned notification-controller's own CRD, since its model predates `generic-oidc`.
 */
const MODELS: Record<string, Model> = {
    "source.toolkit.fluxcd.io/v1/GitRepository": GitRepository,
    "kustomize.toolkit.fluxcd.io/v1/Kustomization": Kustomization,
    "image.toolkit.fluxcd.io/v1/ImageRepository": ImageRepository,
    "image.toolkit.fluxcd.io/v1/ImagePolicy": ImagePolicy,
    "image.toolkit.fluxcd.io/v1/ImageUpdateAutomation": ImageUpdateAutomation,
    "notification.toolkit.fluxcd.io/v1/Receiver": vendoredCrdModel("notification-controller", "Receiver", "v1"),
    "apiextensions.k8s.io/v1/CustomResourceDefinition": CustomResourceDefinition,
    "apps/v1/Deployment": Deployment,
    "batch/v1/CronJob": CronJob,
    "networking.k8s.io/v1/Ingress": Ingress,
    "networking.k8s.io/v1/NetworkPolicy": NetworkPolicy,
    "rbac.authorization.k8s.io/v1/ClusterRole": ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": ClusterRoleBinding,
    "v1/ConfigMap": ConfigMap,
    "v1/Namespace": Namespace,
    "v1/Secret": Secret,
    "v1/Service": Service,
    "v1/ServiceAccount": ServiceAccount,
};

export function hasSchema(object: { apiVersion?: string; kind?: string }): boolean {
    return `${object.apiVersion}/${object.kind}` in MODELS;
}

/**
 * Validates a Kubernetes object against its schema; throws an InputValidationError naming the object,
 * the failing field and the schema's message. `context` names what was being built.
 */
export function validateKubernetesObject(context: string, object: { apiVersion?: string; kind?: string; metadata?: { name?: string } }): void {
    const key = `${object.apiVersion}/${object.kind}`;
    const Model = MODELS[key];
    if (!Model) {
        throw new Error(`no schema known for ${key}`);
    }
    try {
        new Model(object).validate();
    } catch (error) {
        const details = (error as { errors?: Array<{ instancePath?: string; message?: string }> }).errors ?? [];
        assertValid(context, [
            details.length > 0
                ? details.map((d) => ({
                      field: `${object.kind}/${object.metadata?.name}${(d.instancePath ?? "").replaceAll("/", ".")}`,
                      value: valueAt(object, d.instancePath ?? ""),
                      rule: `${d.message ?? "is invalid"} (schema of ${key})`,
                      // A Secret's data never appears in a message, whatever shape it was given in.
                      secret: object.kind === "Secret" && /^\/(data|stringData)(\/|$)/.test(d.instancePath ?? ""),
                  }))
                : [{ field: `${object.kind}/${object.metadata?.name}`, value: null, rule: `${(error as Error).message} (schema of ${key})` }],
        ]);
    }
}

function valueAt(object: unknown, pointer: string): unknown {
    return pointer
        .split("/")
        .filter(Boolean)
        .reduce<unknown>((node, part) => (node !== null && typeof node === "object" ? (node as Record<string, unknown>)[part] : undefined), object);
}
