import { describeCoverage, familiesCoveredEntirely, isAnywhereCidr, parseCidr } from "../../components/validate.js";
import { ofType, type Finding, type Rule, type Subject } from "../subject.js";

const CLUSTER = "eks:index:Cluster";
const AWS_CLUSTER = "aws:eks/cluster:Cluster";
export const CONTROL_PLANE_LOG_TYPES = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

/** pulumi-eks's Cluster and a plain aws.eks.Cluster carry the same settings under different names. */
function clusterSettings(subject: Subject) {
    const p = subject.props;
    if (subject.type === CLUSTER) {
        return {
            publicAccess: p.endpointPublicAccess !== false,
            publicCidrs: (p.publicAccessCidrs ?? []) as string[],
            keyArn: p.encryptionConfigKeyArn as string | undefined,
            logTypes: (p.enabledClusterLogTypes ?? []) as string[],
        };
    }
    return {
        publicAccess: p.vpcConfig?.endpointPublicAccess !== false,
        publicCidrs: (p.vpcConfig?.publicAccessCidrs ?? []) as string[],
        keyArn: p.encryptionConfig?.provider?.keyArn as string | undefined,
        logTypes: (p.enabledClusterLogTypes ?? []) as string[],
    };
}

const clusters = (subjects: readonly Subject[]) => ofType(subjects, CLUSTER, AWS_CLUSTER);

export const eksEndpointNotPublic: Rule = {
    name: "eks-endpoint-not-public",
    description:
        "The EKS API endpoint is private, or public only to listed CIDRs that exclude 0.0.0.0/0 and ::/0 and do not together cover every address (CKV_AWS_38/39, AWS-0040/0041).",
    check: ({ subjects }) =>
        clusters(subjects).flatMap((cluster): Finding[] => {
            const { publicAccess, publicCidrs } = clusterSettings(cluster);
            if (!publicAccess) {
                return [];
            }
            const covered = familiesCoveredEntirely(publicCidrs);
            if (covered.length > 0 && !publicCidrs.some(isAnywhereCidr)) {
                return [
                    {
                        urn: cluster.urn,
                        message: `the public API endpoint's CIDRs ${publicCidrs.join(", ")} together cover ${describeCoverage(covered)}; list only the CIDRs that deploy`,
                    },
                ];
            }
            if (publicCidrs.length === 0 || publicCidrs.some(isAnywhereCidr)) {
                return [
                    {
                        urn: cluster.urn,
                        message:
                            `the public API endpoint is open to ${publicCidrs.length === 0 ? "the whole internet (no publicAccessCidrs)" : publicCidrs.join(", ")}; ` +
                            "turn endpointPublicAccess off, or list only the CIDRs that deploy in publicAccessCidrs",
                    },
                ];
            }
            return [];
        }),
};

export const eksSecretsEncrypted: Rule = {
    name: "eks-secrets-encrypted",
    description: "Kubernetes Secrets are envelope-encrypted with a customer-managed KMS key that rotates (CKV_AWS_58, AWS-0039).",
    check: ({ subjects }) =>
        clusters(subjects).flatMap((cluster): Finding[] => {
            const { keyArn } = clusterSettings(cluster);
            if (!keyArn) {
                return [{ urn: cluster.urn, message: "Secrets are not envelope-encrypted: set encryptionConfigKeyArn to a customer-managed KMS key" }];
            }
            const keys = ofType(subjects, "aws:kms/key:Key").filter((key) => cluster.dependencies.includes(key.urn));
            if (keys.length === 0) {
                return [
                    {
                        urn: cluster.urn,
                        message: `the Secrets key ${keyArn} is not managed in this stack, so its rotation cannot be checked; manage the key here with enableKeyRotation: true`,
                    },
                ];
            }
            return keys
                .filter((key) => key.props.enableKeyRotation !== true)
                .map((key) => ({ urn: key.urn, message: "the KMS key that encrypts the cluster's Secrets must have enableKeyRotation: true" }));
        }),
};

export const eksControlPlaneLogging: Rule = {
    name: "eks-control-plane-logging",
    description: "All five control-plane log types are sent to CloudWatch (CKV_AWS_37, AWS-0038).",
    check: ({ subjects }) =>
        clusters(subjects).flatMap((cluster): Finding[] => {
            const missing = CONTROL_PLANE_LOG_TYPES.filter((type) => !clusterSettings(cluster).logTypes.includes(type));
            return missing.length === 0
                ? []
                : [{ urn: cluster.urn, message: `control-plane log types missing: ${missing.join(", ")}; enable all of ${CONTROL_PLANE_LOG_TYPES.join(", ")}` }];
        }),
};

export const eksNodesRequireImdsv2: Rule = {
    name: "eks-nodes-imdsv2",
    description: "Worker nodes require IMDSv2 with a hop limit of 1, so pods use IRSA rather than the node role (CKV_AWS_79, CKV_AWS_341).",
    check: ({ subjects }) => {
        const templates = ofType(subjects, "aws:ec2/launchTemplate:LaunchTemplate");
        const templateFindings = templates.flatMap((template): Finding[] => {
            const options = template.props.metadataOptions ?? {};
            const problems: string[] = [];
            if (options.httpTokens !== "required") {
                problems.push(`httpTokens is ${JSON.stringify(options.httpTokens ?? "optional")}, must be "required"`);
            }
            if (options.httpPutResponseHopLimit !== 1) {
                problems.push(`httpPutResponseHopLimit is ${JSON.stringify(options.httpPutResponseHopLimit ?? 2)}, must be 1`);
            }
            return problems.length === 0 ? [] : [{ urn: template.urn, message: `node metadata options: ${problems.join("; ")}` }];
        });
        const groups = ofType(subjects, "eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup");
        const groupFindings = groups
            .filter((group) => !group.props.launchTemplate || !templates.some((t) => group.dependencies.includes(t.urn)))
            .map((group) => ({
                urn: group.urn,
                message: "the node group uses no launch template of this stack, so IMDSv2 with hop limit 1 is not enforced; give it one with metadataOptions",
            }));
        return [...templateFindings, ...groupFindings];
    },
};

interface EgressRule {
    subject: Subject;
    fromPort: number;
    toPort: number;
    protocol: string;
    cidrs: string[];
}

function egressRules(subjects: readonly Subject[]): EgressRule[] {
    const modern = ofType(subjects, "aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule").map((s) => ({
        subject: s,
        fromPort: Number(s.props.fromPort ?? 0),
        toPort: Number(s.props.toPort ?? 65535),
        protocol: String(s.props.ipProtocol ?? "-1"),
        cidrs: [s.props.cidrIpv4, s.props.cidrIpv6].filter((c): c is string => typeof c === "string"),
    }));
    const legacy = ofType(subjects, "aws:ec2/securityGroupRule:SecurityGroupRule")
        .filter((s) => s.props.type === "egress")
        .map((s) => ({
            subject: s,
            fromPort: Number(s.props.fromPort ?? 0),
            toPort: Number(s.props.toPort ?? 65535),
            protocol: String(s.props.protocol ?? "-1"),
            cidrs: [...(s.props.cidrBlocks ?? []), ...(s.props.ipv6CidrBlocks ?? [])] as string[],
        }));
    return [...modern, ...legacy];
}

function within(cidr: string, allowed: readonly string[]): boolean {
    const inner = parseCidr(cidr);
    if (!inner) {
        return false;
    }
    return allowed.some((candidate) => {
        const outer = parseCidr(candidate);
        if (!outer || outer.family !== inner.family || outer.prefix > inner.prefix) {
            return false;
        }
        return prefixBits(outer.address, outer.family, outer.prefix) === prefixBits(inner.address, inner.family, outer.prefix);
    });
}

function prefixBits(address: string, family: 4 | 6, prefix: number): string {
    const bits =
        family === 4
            ? address.split(".").map((octet) => Number(octet).toString(2).padStart(8, "0")).join("")
            : expandIpv6(address).map((group) => parseInt(group, 16).toString(2).padStart(16, "0")).join("");
    return bits.slice(0, prefix);
}

function expandIpv6(address: string): string[] {
    const [head, tail] = address.split("::");
    const left = head ? head.split(":") : [];
    const right = tail !== undefined && tail !== "" ? tail.split(":") : [];
    const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
    return [...left, ...zeros, ...right];
}

/** GitHub's published git ranges (api.github.com/meta `git`), used when the pack config lists none. */
export const GITHUB_GIT_RANGES = ["192.30.252.0/22", "185.199.108.0/22", "140.82.112.0/20", "143.55.64.0/20", "2a0a:a440::/29", "2606:50c0::/32"];

export const sshEgressGitOnly: Rule = {
    name: "ssh-egress-git-only",
    description:
        "Egress rules that open TCP 22 (a port range or all ports included, whatever their description says) open only TCP 22, and only to the configured Git ranges (GitHub's published git ranges by default).",
    configProperties: {
        allowedCidrs: { type: "array", items: { type: "string" }, description: "CIDRs the nodes may reach on TCP 22." },
    },
    check: ({ subjects, config }) => {
        const allowed = (config.allowedCidrs as string[] | undefined) ?? GITHUB_GIT_RANGES;
        // A rule towards security groups only (no CIDR) reaches their members, the nodes themselves, not a Git host.
        return egressRules(subjects)
            .filter((rule) => isSshRule(rule) && rule.cidrs.length > 0)
            .flatMap((rule): Finding[] => {
                const problems: string[] = [];
                if (rule.fromPort !== 22 || rule.toPort !== 22 || rule.protocol !== "tcp") {
                    problems.push(`opens ${rule.protocol} ports ${rule.fromPort}-${rule.toPort}, not TCP 22 alone`);
                }
                const outside = rule.cidrs.filter((cidr) => !within(cidr, allowed));
                if (outside.length > 0) {
                    problems.push(`reaches ${outside.join(", ")}, outside the Git ranges ${allowed.join(", ")}`);
                }
                return problems.length === 0
                    ? []
                    : [{ urn: rule.subject.urn, message: `SSH egress ${problems.join("; ")}: limit the rule to TCP 22 and the Git host's CIDRs` }];
            });
    },
};

/**
 * A rule that opens SSH: its ports include TCP 22 (all protocols, "-1", open every port whatever the
 * port numbers say), or its description says SSH or Git. The description never exempts a rule.
 */
function isSshRule(rule: EgressRule): boolean {
    const description = String(rule.subject.props.description ?? "");
    const allProtocols = rule.protocol === "-1" || rule.protocol === "all";
    const tcp = rule.protocol === "tcp" || rule.protocol === "6";
    return allProtocols || (tcp && rule.fromPort <= 22 && 22 <= rule.toPort) || /\bssh\b|\bgit\b/i.test(description);
}

const SECURITY_GROUP = "aws:ec2/securityGroup:SecurityGroup";

/** Inline egress blocks of a security group, in the shape of the separate rules. */
function inlineEgress(group: Subject): EgressRule[] {
    return ((group.props.egress ?? []) as Array<Record<string, any>>).map((block) => ({
        subject: group,
        fromPort: Number(block.fromPort ?? 0),
        toPort: Number(block.toPort ?? 65535),
        protocol: String(block.protocol ?? "-1"),
        cidrs: [...(block.cidrBlocks ?? []), ...(block.ipv6CidrBlocks ?? [])],
    }));
}

/** Whether a rule lets TCP port 22 out: all protocols, or a TCP range that includes 22. */
function opensPort22(rule: EgressRule): boolean {
    const all = rule.protocol === "-1" || rule.protocol === "all";
    return all || (["tcp", "6"].includes(rule.protocol) && rule.fromPort <= 22 && 22 <= rule.toPort);
}

export const nodeEgressLimited: Rule = {
    name: "eks-node-egress-limited",
    description:
        "Worker nodes use a security group of this stack, named in their launch template (so EKS does not add its allow-all cluster " +
        "security group), and none of its egress rules opens port 22 to CIDRs except the Git SSH rule (TCP 22 alone).",
    check: ({ subjects }) => {
        const templates = ofType(subjects, "aws:ec2/launchTemplate:LaunchTemplate");
        const groups = ofType(subjects, SECURITY_GROUP);
        const nodeGroups = ofType(subjects, "eks:index:ManagedNodeGroup", "aws:eks/nodeGroup:NodeGroup");
        const findings: Finding[] = [];
        const nodeSecurityGroups = new Set<Subject>();
        for (const nodeGroup of nodeGroups) {
            const template = templates.find((t) => nodeGroup.dependencies.includes(t.urn));
            const ownGroups = template ? groups.filter((g) => template.dependencies.includes(g.urn)) : [];
            if (!template || (template.props.vpcSecurityGroupIds ?? []).length === 0 || ownGroups.length === 0) {
                findings.push({
                    urn: nodeGroup.urn,
                    message:
                        "the nodes get EKS's cluster security group, whose default egress allows everything, so no egress rule limits them; " +
                        "name a security group of this stack in the launch template's vpcSecurityGroupIds",
                });
            }
            ownGroups.forEach((g) => nodeSecurityGroups.add(g));
        }
        for (const group of nodeSecurityGroups) {
            const rules = [...inlineEgress(group), ...egressRules(subjects).filter((rule) => rule.subject.dependencies.includes(group.urn))];
            for (const rule of rules.filter((r) => opensPort22(r) && r.cidrs.length > 0)) {
                if (rule.fromPort !== 22 || rule.toPort !== 22 || rule.protocol !== "tcp") {
                    findings.push({
                        urn: rule.subject.urn,
                        message:
                            `egress ${rule.protocol} ports ${rule.fromPort}-${rule.toPort} to ${rule.cidrs.join(", ")} on the nodes' security group opens SSH ` +
                            "beside the Git rule; allow only the ports the nodes need (HTTPS) and leave port 22 to the Git SSH rule",
                    });
                }
            }
        }
        return findings;
    },
};

export const eksRules = [eksEndpointNotPublic, eksSecretsEncrypted, eksControlPlaneLogging, eksNodesRequireImdsv2, sshEgressGitOnly, nodeEgressLimited];
