import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { accessEntryKey, accessPolicyArn } from "./cluster-access.js";
import { resolveEksClusterSettings, type EksClusterSettings } from "./eks-cluster-options.js";
import { parseCidr } from "../validate.js";
import { cidrFamilies, destinationCidrs, SSH_PORT } from "./git-ssh-egress.js";
import { NODE_SECURITY_RULES } from "./node-security-rules.js";

/** See EksClusterSettings for the cluster settings and their defaults. */
export interface EksClusterArgs extends Omit<EksClusterSettings, "secretsEncryptionKeyArn"> {
    /** VPC of the cluster. */
    vpcId: pulumi.Input<string>;
    /** Private subnets for the control plane's network interfaces and the worker nodes. */
    privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>;
    /** Public subnets for internet-facing load balancers. @default none */
    publicSubnetIds?: pulumi.Input<pulumi.Input<string>[]>;
    /** KMS key that envelope-encrypts Kubernetes Secrets. @default a customer-managed key created here, with yearly rotation */
    secretsEncryptionKeyArn?: pulumi.Input<string>;
    /** Tags on every AWS resource. @default none */
    tags?: Record<string, string>;
    /**
     * Keep Pulumi from deleting or replacing the cluster and its Secrets key (`protect`): a change
     * that needs a new cluster (such as another clusterName) then fails at preview instead of
     * deleting every workload, Secret and volume in it. @default true
     */
    protect?: boolean;
}

/**
 * An EKS cluster ready for Flux: a managed node group with IMDSv2 (hop limit 1), Secrets encrypted
 * with a rotating KMS key, all control-plane logs, an OIDC provider for IRSA, a private endpoint by
 * default, and nodes in a security group of their own whose egress is HTTPS, each other and Git
 * over SSH only (the SSH rule is what opens port 22).
 */
export class EksCluster extends pulumi.ComponentResource {
    /** Kubeconfig (JSON) for the cluster; a secret. */
    public readonly kubeconfig: pulumi.Output<string>;
    /** A Kubernetes provider for the cluster, ready for other components. */
    public readonly provider: k8s.Provider;
    public readonly clusterName: pulumi.Output<string>;
    /** ARN of the IAM OIDC provider, for IRSA trust policies. */
    public readonly oidcProviderArn: pulumi.Output<string>;
    /** OIDC issuer without `https://`, as IRSA trust policy conditions use it. */
    public readonly oidcProviderUrl: pulumi.Output<string>;
    /**
     * The security group the worker nodes use, the only one: its egress is HTTPS, the nodes
     * themselves and the Git SSH rule. Add your own egress rules to it for workloads that need more.
     */
    public readonly nodeSecurityGroupIds: pulumi.Output<string[]>;
    /** KMS key ARN that encrypts Secrets. */
    public readonly secretsEncryptionKeyArn: pulumi.Output<string>;

    constructor(name: string, args: EksClusterArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = resolveEksClusterSettings(name, {
            ...args,
            secretsEncryptionKeyArn: typeof args.secretsEncryptionKeyArn === "string" ? args.secretsEncryptionKeyArn : undefined,
        });
        super("eks-flux-gitops:aws:EksCluster", name, {}, opts);
        const tags = { ...args.tags, "eks-flux-gitops/cluster": settings.clusterName };

        const secretsKeyArn =
            args.secretsEncryptionKeyArn ??
            new aws.kms.Key(
                `${name}-secrets`,
                {
                    description: `Envelope encryption of Kubernetes Secrets in EKS cluster ${settings.clusterName}`,
                    enableKeyRotation: true,
                    deletionWindowInDays: 30,
                    tags,
                },
                { parent: this, protect: args.protect ?? true },
            ).arn;

        const partition = aws.getPartitionOutput({}, { parent: this }).partition;
        const cluster = new eks.Cluster(
            `${name}-eks`,
            {
                name: settings.clusterName,
                version: settings.kubernetesVersion,
                vpcId: args.vpcId,
                privateSubnetIds: args.privateSubnetIds,
                publicSubnetIds: args.publicSubnetIds,
                nodeAssociatePublicIpAddress: false,
                endpointPrivateAccess: true,
                endpointPublicAccess: settings.endpointPublicAccess,
                publicAccessCidrs: settings.endpointPublicAccess ? settings.publicAccessCidrs : undefined,
                enabledClusterLogTypes: settings.controlPlaneLogTypes,
                encryptionConfigKeyArn: secretsKeyArn,
                createOidcProvider: true,
                authenticationMode: eks.AuthenticationMode.Api,
                accessEntries: Object.fromEntries(
                    settings.access.map((entry) => [
                        accessEntryKey(entry.principalArn),
                        {
                            principalArn: entry.principalArn,
                            accessPolicies: {
                                [entry.access]: { policyArn: partition.apply((p) => accessPolicyArn(p, entry.access)), accessScope: { type: "cluster" } },
                            },
                        },
                    ]),
                ),
                skipDefaultNodeGroup: true,
                tags,
            },
            { parent: this, protect: args.protect ?? true },
        );

        const nodeRole = new aws.iam.Role(
            `${name}-node`,
            {
                assumeRolePolicy: JSON.stringify({
                    Version: "2012-10-17",
                    Statement: [{ Effect: "Allow", Principal: { Service: "ec2.amazonaws.com" }, Action: "sts:AssumeRole" }],
                }),
                tags,
            },
            { parent: this },
        );
        const nodePolicies = ["AmazonEKSWorkerNodePolicy", "AmazonEKS_CNI_Policy", "AmazonEC2ContainerRegistryReadOnly"].map(
            (policy) =>
                new aws.iam.RolePolicyAttachment(
                    `${name}-node-${policy}`,
                    { role: nodeRole.name, policyArn: pulumi.interpolate`arn:${partition}:iam::aws:policy/${policy}` },
                    { parent: this },
                ),
        );

        const clusterSecurityGroupId = cluster.eksCluster.apply((c) =>
            pulumi.output(c.vpcConfig).apply((vpcConfig) => vpcConfig.clusterSecurityGroupId as string),
        );
        // The nodes' own group, named in the launch template, so EKS does not add its cluster security
        // group (whose default egress allows everything): its rules and the Git SSH rule below are all
        // the nodes may send. The cluster tag lets Kubernetes' load balancer controller add its rules.
        const nodeSecurityGroup = new aws.ec2.SecurityGroup(
            `${name}-node-sg`,
            {
                vpcId: args.vpcId,
                description: `Worker nodes of EKS cluster ${settings.clusterName}: egress only as listed`,
                revokeRulesOnDelete: true,
                tags: { ...tags, [`kubernetes.io/cluster/${settings.clusterName}`]: "owned" },
            },
            { parent: this },
        );
        const nodeNetworkRules = NODE_SECURITY_RULES.map((rule) => {
            const group = (of: "nodes" | "cluster") => (of === "nodes" ? nodeSecurityGroup.id : clusterSecurityGroupId);
            return new aws.ec2.SecurityGroupRule(
                `${name}-node-${rule.key}`,
                {
                    type: rule.type,
                    securityGroupId: group(rule.on),
                    protocol: rule.protocol,
                    fromPort: rule.fromPort,
                    toPort: rule.toPort,
                    ...(rule.peer.kind === "self"
                        ? { self: true }
                        : rule.peer.kind === "cidrs"
                          ? { cidrBlocks: rule.peer.ipv4, ipv6CidrBlocks: rule.peer.ipv6 }
                          : { sourceSecurityGroupId: group(rule.peer.kind) }),
                    description: rule.description,
                },
                { parent: this },
            );
        });

        const launchTemplate = new aws.ec2.LaunchTemplate(
            `${name}-nodes`,
            {
                metadataOptions: {
                    httpEndpoint: "enabled",
                    httpTokens: settings.nodeMetadataTokens,
                    httpPutResponseHopLimit: settings.nodeMetadataHopLimit,
                },
                blockDeviceMappings: [
                    { deviceName: "/dev/xvda", ebs: { volumeSize: settings.nodeDiskSizeGiB, volumeType: "gp3", encrypted: "true", deleteOnTermination: "true" } },
                ],
                vpcSecurityGroupIds: [nodeSecurityGroup.id],
                tagSpecifications: [{ resourceType: "instance", tags }],
                tags,
            },
            { parent: this },
        );

        const nodeGroup = new eks.ManagedNodeGroup(
            `${name}-nodes`,
            {
                cluster,
                // With a launch template of our own (and no AMI in it) the group's version is what EKS
                // upgrades the nodes to; without it only the control plane follows kubernetesVersion.
                version: settings.kubernetesVersion,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                instanceTypes: settings.instanceTypes,
                capacityType: settings.capacityType,
                scalingConfig: { desiredSize: settings.desiredSize, minSize: settings.minSize, maxSize: settings.maxSize },
                launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
                tags,
            },
            // Nodes join only once they may reach the API and the control plane may reach them.
            { parent: this, dependsOn: [...nodePolicies, ...nodeNetworkRules] },
        );

        const gitCidrs: pulumi.Output<string[]> =
            settings.gitSsh.kind === "github"
                ? github.getIpRangesOutput({ parent: this }).apply((ranges) => [...ranges.gitIpv4s, ...ranges.gitIpv6s])
                : pulumi.output(destinationCidrs(settings.gitSsh, []));
        const host = settings.gitSsh.kind === "github" ? "GitHub" : settings.gitSsh.kind === "anywhere" ? "anywhere" : "the Git server";
        const families = settings.gitSsh.kind === "cidrs" ? cidrFamilies(settings.gitSsh.cidrs) : [4, 6];
        for (const family of families) {
            const cidrs = gitCidrs.apply((all) => all.filter((cidr) => parseCidr(cidr)?.family === family));
            new aws.ec2.SecurityGroupRule(
                `${name}-git-ssh-ipv${family}`,
                {
                    type: "egress",
                    securityGroupId: nodeSecurityGroup.id,
                    protocol: "tcp",
                    fromPort: SSH_PORT,
                    toPort: SSH_PORT,
                    ...(family === 4 ? { cidrBlocks: cidrs } : { ipv6CidrBlocks: cidrs }),
                    description: `Git over SSH to ${host}`,
                },
                { parent: this },
            );
        }

        this.kubeconfig = pulumi.secret(cluster.kubeconfigJson);
        // The cluster is ACTIVE before any node exists; objects applied through this provider wait
        // for the node group, so Deployments do not sit Pending until their timeout.
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this, dependsOn: [nodeGroup] });
        this.clusterName = pulumi.output(settings.clusterName);
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcProviderUrl = cluster.oidcProviderUrl.apply((url) => url.replace(/^https:\/\//, ""));
        this.nodeSecurityGroupIds = nodeSecurityGroup.id.apply((id) => [id]);
        this.secretsEncryptionKeyArn = pulumi.output(secretsKeyArn);
        this.registerOutputs({
            kubeconfig: this.kubeconfig,
            clusterName: this.clusterName,
            oidcProviderArn: this.oidcProviderArn,
            oidcProviderUrl: this.oidcProviderUrl,
            nodeSecurityGroupIds: this.nodeSecurityGroupIds,
        });
    }
}
