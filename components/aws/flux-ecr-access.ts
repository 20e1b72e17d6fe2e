import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assertValid, checkKubernetesLabelName, checkKubernetesName } from "../validate.js";
import { ecrReadPolicy, irsaTrustPolicy, podIdentityTrustPolicy } from "./flux-ecr-iam-policies.js";

/** The annotation IRSA reads on a service account. */
export const IRSA_ROLE_ANNOTATION = "eks.amazonaws.com/role-arn";

export interface FluxEcrAccessArgs {
    /** ARNs of the repositories Flux may read. */
    repositoryArns: pulumi.Input<pulumi.Input<string>[]>;
    /** How the controller gets the role: IRSA (annotated service account) or EKS Pod Identity. @default "irsa" */
    mode?: "irsa" | "pod-identity";
    /** The cluster's IAM OIDC provider ARN; required for IRSA. */
    oidcProviderArn?: pulumi.Input<string>;
    /** The cluster's OIDC issuer without https://; required for IRSA. */
    oidcProviderUrl?: pulumi.Input<string>;
    /** EKS cluster name; required for Pod Identity. */
    clusterName?: pulumi.Input<string>;
    /** Install the eks-pod-identity-agent add-on (Pod Identity only). @default true */
    installPodIdentityAgent?: boolean;
    /** Namespace of the controller. @default "flux-system" */
    namespace?: string;
    /** Service account of the controller. @default "image-reflector-controller" */
    serviceAccount?: string;
    /** Tags on the role. @default none */
    tags?: Record<string, string>;
}

/**
 * The AWS identity of Flux's image-reflector-controller, so `ImageRepository.spec.provider: aws`
 * works (Flux 2.7 removed `--aws-autologin-for-ecr`): a role that may only read the given ECR
 * repositories, assumable by that one service account through IRSA or EKS Pod Identity.
 */
export class FluxEcrAccess extends pulumi.ComponentResource {
    public readonly roleArn: pulumi.Output<string>;
    public readonly roleName: pulumi.Output<string>;
    /**
     * Annotations for the controller's service account (empty with Pod Identity). They resolve once
     * the read policy (and the Pod Identity association) exist, so passing them to FluxInstall orders
     * the controller after its permissions.
     */
    public readonly serviceAccountAnnotations: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: FluxEcrAccessArgs, opts?: pulumi.ComponentResourceOptions) {
        const mode = args.mode ?? "irsa";
        const namespace = args.namespace ?? "flux-system";
        const serviceAccount = args.serviceAccount ?? "image-reflector-controller";
        assertValid(`FluxEcrAccess ${name}`, [
            checkKubernetesLabelName("namespace", namespace),
            checkKubernetesName("serviceAccount", serviceAccount),
            mode === "irsa" && (args.oidcProviderArn === undefined || args.oidcProviderUrl === undefined)
                ? { field: "oidcProviderArn", value: args.oidcProviderArn ?? null, rule: 'mode "irsa" needs oidcProviderArn and oidcProviderUrl from the cluster' }
                : undefined,
            mode === "pod-identity" && args.clusterName === undefined
                ? { field: "clusterName", value: null, rule: 'mode "pod-identity" needs the cluster name for the association' }
                : undefined,
            mode !== "irsa" && mode !== "pod-identity" ? { field: "mode", value: mode, rule: 'must be "irsa" or "pod-identity"' } : undefined,
        ]);
        super("eks-flux-gitops:aws:FluxEcrAccess", name, {}, opts);

        const trustPolicy =
            mode === "irsa"
                ? pulumi
                      .all([args.oidcProviderArn!, args.oidcProviderUrl!])
                      .apply(([arn, url]) => JSON.stringify(irsaTrustPolicy(arn, url.replace(/^https:\/\//, ""), namespace, serviceAccount)))
                : JSON.stringify(podIdentityTrustPolicy());
        const role = new aws.iam.Role(
            `${name}-role`,
            { description: `Read-only ECR access for ${namespace}/${serviceAccount} (Flux image-reflector-controller)`, assumeRolePolicy: trustPolicy, tags: args.tags },
            { parent: this },
        );
        const readPolicy = new aws.iam.RolePolicy(
            `${name}-ecr-read`,
            { role: role.name, policy: pulumi.output(args.repositoryArns).apply((arns) => JSON.stringify(ecrReadPolicy(arns))) },
            { parent: this },
        );
        let association: aws.eks.PodIdentityAssociation | undefined;
        if (mode === "pod-identity") {
            const agent =
                args.installPodIdentityAgent === false
                    ? []
                    : [new aws.eks.Addon(`${name}-pod-identity-agent`, { clusterName: args.clusterName!, addonName: "eks-pod-identity-agent" }, { parent: this })];
            association = new aws.eks.PodIdentityAssociation(
                `${name}-association`,
                { clusterName: args.clusterName!, namespace, serviceAccount, roleArn: role.arn, tags: args.tags },
                { parent: this, dependsOn: agent },
            );
        }
        this.roleArn = role.arn;
        this.roleName = role.name;
        // Pod Identity hands credentials only to pods started after the association exists, so the
        // annotations carry the association (and the read policy) as dependencies: a service account
        // built from them, and the controller Deployment that waits for it, come after both.
        this.serviceAccountAnnotations = pulumi
            .all([role.arn, readPolicy.id, association ? association.associationId : ""])
            .apply(([arn]): Record<string, string> => (mode === "irsa" ? { [IRSA_ROLE_ANNOTATION]: arn } : {}));
        this.registerOutputs({ roleArn: this.roleArn, roleName: this.roleName });
    }
}
