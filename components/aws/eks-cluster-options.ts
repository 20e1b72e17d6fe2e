import { assertValid, checkCidr, describeCoverage, familiesCoveredEntirely, isAnywhereCidr, type Problem } from "../validate.js";
import { ACCESS_POLICIES, checkClusterAccessPrincipals, type ClusterAccessEntry } from "./cluster-access.js";
import { checkGitSshDestinations, type GitSshDestinations } from "./git-ssh-egress.js";

export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"] as const;
export type ControlPlaneLogType = (typeof CONTROL_PLANE_LOG_TYPES)[number];

/** Plain settings of an EKS cluster, before defaults; see EksClusterArgs for each field's meaning. */
/** Settings of an EKS cluster, before defaults. */
export interface EksClusterSettings {
    /** EKS cluster name. @default the component's name */
    clusterName?: string;
    /** Kubernetes version (major.minor). @default "1.34" */
    kubernetesVersion?: string;
    /** Instance types of the managed node group. @default ["t3.large"] */
    instanceTypes?: string[];
    /** Desired node count. @default 2 */
    desiredSize?: number;
    /** Minimum node count. @default 2 */
    minSize?: number;
    /** Maximum node count. @default 4 */
    maxSize?: number;
    /** Encrypted gp3 root volume size of each node, in GiB. @default 50 */
    nodeDiskSizeGiB?: number;
    /** ON_DEMAND or SPOT nodes. @default "ON_DEMAND" */
    capacityType?: "ON_DEMAND" | "SPOT";
    /**
     * Whether the API endpoint is reachable from the internet. @default true only when publicAccessCidrs
     * lists CIDRs; the endpoint is private otherwise (it is always reachable from inside the VPC).
     */
    endpointPublicAccess?: boolean;
    /** CIDRs allowed to reach the public endpoint. @default none (private endpoint) */
    publicAccessCidrs?: string[];
    /** Allow 0.0.0.0/0 or ::/0 in publicAccessCidrs, or a public endpoint without CIDRs. @default false */
    allowPublicEndpointFromAnywhere?: boolean;
    /** Control-plane log types sent to CloudWatch. @default all five: api, audit, authenticator, controllerManager, scheduler */
    controlPlaneLogTypes?: ControlPlaneLogType[];
    /**
     * KMS key that envelope-encrypts Kubernetes Secrets. @default a customer-managed key created here,
     * with yearly rotation
     */
    secretsEncryptionKeyArn?: string;
    /** IMDS hop limit on nodes; 1 keeps pods from using the node role (they use IRSA). @default 1 */
    nodeMetadataHopLimit?: number;
    /** Whether nodes require IMDSv2 session tokens. @default "required" */
    nodeMetadataTokens?: "required" | "optional";
    /**
     * Where nodes may open SSH for Git (Flux clones over SSH). @default { kind: "github" }: GitHub's
     * published git ranges, refreshed on every `pulumi up`
     */
    gitSsh?: GitSshDestinations;
    /**
     * IAM principals given access through EKS access entries, each with its access policy: other
     * people, the role a CI deploy assumes, a preview role. Not the identity that creates the
     * cluster: EKS makes it cluster admin already, and a second entry for it is refused
     * (ResourceInUseException). @default none: only the creator can use the cluster
     */
    access?: ClusterAccessEntry[];
}

export type ResolvedEksClusterSettings = Required<Omit<EksClusterSettings, "secretsEncryptionKeyArn" | "clusterName">> & {
    clusterName: string;
    secretsEncryptionKeyArn?: string;
};

export const EKS_DEFAULTS = {
    kubernetesVersion: "1.34",
    instanceTypes: ["t3.large"],
    desiredSize: 2,
    minSize: 2,
    maxSize: 4,
    nodeDiskSizeGiB: 50,
    capacityType: "ON_DEMAND",
    endpointPublicAccess: false,
    publicAccessCidrs: [],
    allowPublicEndpointFromAnywhere: false,
    controlPlaneLogTypes: [...CONTROL_PLANE_LOG_TYPES],
    nodeMetadataHopLimit: 1,
    nodeMetadataTokens: "required",
    gitSsh: { kind: "github" },
    access: [],
} as const;

const EKS_CLUSTER_NAME = /^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$/;
const KUBERNETES_VERSION = /^1\.\d{2}$/;
const INSTANCE_TYPE = /^[a-z][a-z0-9-]*\.[a-z0-9]+$/;

/** Applies the defaults and checks every rule; throws one error listing each problem. */
export function resolveEksClusterSettings(name: string, settings: EksClusterSettings): ResolvedEksClusterSettings {
    const resolved: ResolvedEksClusterSettings = {
        clusterName: settings.clusterName ?? name,
        kubernetesVersion: settings.kubernetesVersion ?? EKS_DEFAULTS.kubernetesVersion,
        instanceTypes: settings.instanceTypes ?? [...EKS_DEFAULTS.instanceTypes],
        desiredSize: settings.desiredSize ?? EKS_DEFAULTS.desiredSize,
        minSize: settings.minSize ?? EKS_DEFAULTS.minSize,
        maxSize: settings.maxSize ?? EKS_DEFAULTS.maxSize,
        nodeDiskSizeGiB: settings.nodeDiskSizeGiB ?? EKS_DEFAULTS.nodeDiskSizeGiB,
        capacityType: settings.capacityType ?? EKS_DEFAULTS.capacityType,
        endpointPublicAccess: settings.endpointPublicAccess ?? (settings.publicAccessCidrs ?? []).length > 0,
        publicAccessCidrs: settings.publicAccessCidrs ?? [],
        allowPublicEndpointFromAnywhere: settings.allowPublicEndpointFromAnywhere ?? false,
        controlPlaneLogTypes: settings.controlPlaneLogTypes ?? [...EKS_DEFAULTS.controlPlaneLogTypes],
        secretsEncryptionKeyArn: settings.secretsEncryptionKeyArn,
        nodeMetadataHopLimit: settings.nodeMetadataHopLimit ?? EKS_DEFAULTS.nodeMetadataHopLimit,
        nodeMetadataTokens: settings.nodeMetadataTokens ?? EKS_DEFAULTS.nodeMetadataTokens,
        gitSsh: settings.gitSsh ?? EKS_DEFAULTS.gitSsh,
        access: settings.access ?? [],
    };
    const problems: Problem[] = [];
    const rule = (ok: boolean, field: string, value: unknown, text: string) => {
        if (!ok) {
            problems.push({ field, value, rule: text });
        }
    };
    const r = resolved;
    rule(EKS_CLUSTER_NAME.test(r.clusterName), "clusterName", r.clusterName, "must be an EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit");
    rule(KUBERNETES_VERSION.test(r.kubernetesVersion), "kubernetesVersion", r.kubernetesVersion, "must be an EKS Kubernetes version as major.minor, such as 1.34");
    rule(r.instanceTypes.length > 0, "instanceTypes", r.instanceTypes, "must name at least one EC2 instance type");
    r.instanceTypes.forEach((type, i) => rule(INSTANCE_TYPE.test(type), `instanceTypes[${i}]`, type, "must be an EC2 instance type such as t3.large"));
    rule(Number.isInteger(r.minSize) && r.minSize >= 0, "minSize", r.minSize, "must be a whole number, 0 or more");
    rule(Number.isInteger(r.maxSize) && r.maxSize >= 1, "maxSize", r.maxSize, "must be a whole number, 1 or more");
    rule(
        Number.isInteger(r.desiredSize) && r.minSize <= r.desiredSize && r.desiredSize <= r.maxSize,
        "desiredSize",
        r.desiredSize,
        `must be a whole number between minSize (${r.minSize}) and maxSize (${r.maxSize})`,
    );
    rule(Number.isInteger(r.nodeDiskSizeGiB) && r.nodeDiskSizeGiB >= 20, "nodeDiskSizeGiB", r.nodeDiskSizeGiB, "must be a whole number of GiB, 20 or more");
    r.controlPlaneLogTypes.forEach((type, i) =>
        rule((CONTROL_PLANE_LOG_TYPES as readonly string[]).includes(type), `controlPlaneLogTypes[${i}]`, type, `must be one of ${CONTROL_PLANE_LOG_TYPES.join(", ")}`),
    );
    rule(
        r.endpointPublicAccess || r.publicAccessCidrs.length === 0,
        "publicAccessCidrs",
        r.publicAccessCidrs,
        "only applies with endpointPublicAccess: true",
    );
    rule(
        !r.endpointPublicAccess || r.publicAccessCidrs.length > 0 || r.allowPublicEndpointFromAnywhere,
        "endpointPublicAccess",
        true,
        "a public endpoint must be limited with publicAccessCidrs (or opened to all with allowPublicEndpointFromAnywhere: true)",
    );
    r.publicAccessCidrs.forEach((cidr, i) => {
        const problem = checkCidr(`publicAccessCidrs[${i}]`, cidr);
        if (problem) {
            problems.push(problem);
        } else {
            rule(
                !isAnywhereCidr(cidr) || r.allowPublicEndpointFromAnywhere,
                `publicAccessCidrs[${i}]`,
                cidr,
                "opens the API endpoint to the whole internet; set allowPublicEndpointFromAnywhere: true if that is really meant",
            );
        }
    });
    const covered = familiesCoveredEntirely(r.publicAccessCidrs);
    rule(
        covered.length === 0 || r.publicAccessCidrs.some(isAnywhereCidr) || r.allowPublicEndpointFromAnywhere,
        "publicAccessCidrs",
        r.publicAccessCidrs,
        `together cover ${describeCoverage(covered)}, which opens the API endpoint to the whole internet; set allowPublicEndpointFromAnywhere: true if that is really meant`,
    );
    rule([1, 2].includes(r.nodeMetadataHopLimit), "nodeMetadataHopLimit", r.nodeMetadataHopLimit, "must be 1 (pods cannot reach the node role) or 2");
    problems.push(...checkGitSshDestinations("gitSsh", r.gitSsh));
    problems.push(...checkClusterAccessPrincipals(r.access, (i) => `access[${i}].principalArn`));
    r.access.forEach((entry, i) =>
        rule(entry.access in ACCESS_POLICIES, `access[${i}].access`, entry.access, `must be one of ${Object.keys(ACCESS_POLICIES).join(", ")}`),
    );
    assertValid(`EksCluster ${name}`, [problems]);
    return resolved;
}
