import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";

type ResourceClass = new (name: string, args: any, opts?: pulumi.CustomResourceOptions) => pulumi.CustomResource;

/**
 * Kinds with a class of their own in @pulumi/kubernetes. The class fixes the type token
 * (`kubernetes:core/v1:Namespace`); a `CustomResource` with `apiVersion: v1` would get
 * `kubernetes:v1:Namespace`, which the provider refuses ("apiVersion does not have both a group and a version").
 */
const TYPED_CLASSES: Record<string, ResourceClass> = {
    "v1/Namespace": k8s.core.v1.Namespace,
    "v1/ServiceAccount": k8s.core.v1.ServiceAccount,
    "v1/Service": k8s.core.v1.Service,
    "v1/Secret": k8s.core.v1.Secret,
    "v1/ConfigMap": k8s.core.v1.ConfigMap,
    "apps/v1/Deployment": k8s.apps.v1.Deployment,
    "rbac.authorization.k8s.io/v1/ClusterRole": k8s.rbac.v1.ClusterRole,
    "rbac.authorization.k8s.io/v1/ClusterRoleBinding": k8s.rbac.v1.ClusterRoleBinding,
    "rbac.authorization.k8s.io/v1/Role": k8s.rbac.v1.Role,
    "rbac.authorization.k8s.io/v1/RoleBinding": k8s.rbac.v1.RoleBinding,
    "apiextensions.k8s.io/v1/CustomResourceDefinition": k8s.apiextensions.v1.CustomResourceDefinition,
    "networking.k8s.io/v1/NetworkPolicy": k8s.networking.v1.NetworkPolicy,
    "networking.k8s.io/v1/Ingress": k8s.networking.v1.Ingress,
};

/** The Pulumi type token the kubernetes provider expects for an object of this apiVersion and kind. */
export function kubernetesTypeToken(apiVersion: string, kind: string): string {
    return `kubernetes:${apiVersion.includes("/") ? apiVersion : `core/${apiVersion}`}:${kind}`;
}

/**
 * Registers a Kubernetes object with the class the provider knows it by: the typed class for core and
 * built-in kinds, `CustomResource` for the kinds of a CRD group (Flux's). A core kind without a class
 * here is refused rather than registered under a token the provider would reject at `pulumi up`.
 */
export function kubernetesResource(
    name: string,
    object: { apiVersion: string; kind: string; [field: string]: unknown },
    opts: pulumi.CustomResourceOptions,
): pulumi.CustomResource {
    const typed = TYPED_CLASSES[`${object.apiVersion}/${object.kind}`];
    if (typed) {
        return new typed(name, object, opts);
    }
    if (!object.apiVersion.includes("/")) {
        throw new Error(`${object.kind} (apiVersion ${object.apiVersion}) has no typed class in kubernetesResource; add it, since a CustomResource of a core kind is refused by the kubernetes provider`);
    }
    return new k8s.apiextensions.CustomResource(name, object as k8s.apiextensions.CustomResourceArgs, opts);
}
