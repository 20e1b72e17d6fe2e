/**
 * The rules of the worker nodes' own security group, apart from the Git SSH egress (git-ssh-egress.ts).
 * Naming this group in the launch template makes EKS leave out its cluster security group, whose
 * default egress allows everything (AWS EKS user guide, "Customize managed nodes with launch
 * templates: Using custom security groups" and "Security group requirements"), so these rules plus
 * the Git rule are all the nodes may send. Traffic to the Amazon-provided DNS server, instance
 * metadata and the Time Sync Service is not filtered by security groups (Amazon VPC user guide,
 * "Security group rules"), so name resolution needs no rule.
 */
export interface NodeSecurityRule {
    /** Suffix of the rule's resource name. */
    key: string;
    type: "ingress" | "egress";
    protocol: "tcp" | "-1";
    fromPort: number;
    toPort: number;
    /** The group the rule is on: the nodes' own, or EKS's cluster security group (control plane). */
    on: "nodes" | "cluster";
    /** The other side: the group itself, the nodes' group, EKS's cluster security group, or CIDRs. */
    peer: { kind: "self" } | { kind: "nodes" } | { kind: "cluster" } | { kind: "cidrs"; ipv4: string[]; ipv6: string[] };
    description: string;
}

export const HTTPS_PORT = 443;

export const NODE_SECURITY_RULES: readonly NodeSecurityRule[] = [
    {
        key: "self-ingress",
        type: "ingress",
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        on: "nodes",
        peer: { kind: "self" },
        description: "Node to node: pod networking (VPC CNI pod addresses), CoreDNS, Services",
    },
    {
        key: "self-egress",
        type: "egress",
        protocol: "-1",
        fromPort: 0,
        toPort: 0,
        on: "nodes",
        peer: { kind: "self" },
        description: "Node to node: pod networking (VPC CNI pod addresses), CoreDNS, Services",
    },
    {
        key: "control-plane-https",
        type: "ingress",
        protocol: "tcp",
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        on: "nodes",
        peer: { kind: "cluster" },
        description: "Control plane to pods serving webhooks and extension APIs on 443",
    },
    {
        key: "control-plane-kubelet",
        type: "ingress",
        protocol: "tcp",
        fromPort: 1025,
        toPort: 65535,
        on: "nodes",
        peer: { kind: "cluster" },
        description: "Control plane to kubelet (10250: logs, exec, metrics) and to webhooks on high ports",
    },
    {
        key: "api-from-nodes",
        type: "ingress",
        protocol: "tcp",
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        on: "cluster",
        peer: { kind: "nodes" },
        description: "Nodes and pods to the Kubernetes API (private endpoint)",
    },
    {
        key: "https-egress",
        type: "egress",
        protocol: "tcp",
        fromPort: HTTPS_PORT,
        toPort: HTTPS_PORT,
        on: "nodes",
        peer: { kind: "cidrs", ipv4: ["0.0.0.0/0"], ipv6: ["::/0"] },
        description:
            "HTTPS: the Kubernetes API, EKS/EC2/STS APIs (node registration, VPC CNI, IRSA), ECR and S3 image layers, " +
            "ghcr.io (Flux images), ECR tag scans",
    },
];
