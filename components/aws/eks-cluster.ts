import * as aws from "@pulumi/aws";
import * as eks from "@pulumi/eks";
import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { resolveEksClusterSettings, type EksClusterSettings } from "./eks-cluster-options.js";
import { parseCidr } from "../validate.js";
import { cidrFamilies, destinationCidrs, SSH_PORT } from "./git-ssh-egress.js";

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
 * default, and an explicit SSH egress rule for Git on the security group the nodes really use.
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
    /** The security groups the worker nodes use: the SSH egress rule sits on these. */
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
                    { role: nodeRole.name, policyArn: pulumi.interpolate`arn:${aws.getPartitionOutput({}, { parent: this }).partition}:iam::aws:policy/${policy}` },
                    { parent: this },
                ),
        );

        // No security groups in the launch template: EKS then attaches its cluster security group to
        // managed nodes, which is why the SSH rule below goes on that group.
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
                tagSpecifications: [{ resourceType: "instance", tags }],
                tags,
            },
            { parent: this },
        );

        new eks.ManagedNodeGroup(
            `${name}-nodes`,
            {
                cluster,
                nodeRoleArn: nodeRole.arn,
                subnetIds: args.privateSubnetIds,
                instanceTypes: settings.instanceTypes,
                capacityType: settings.capacityType,
                scalingConfig: { desiredSize: settings.desiredSize, minSize: settings.minSize, maxSize: settings.maxSize },
                launchTemplate: { id: launchTemplate.id, version: pulumi.interpolate`${launchTemplate.latestVersion}` },
                tags,
            },
            { parent: this, dependsOn: nodePolicies },
        );

        const clusterSecurityGroupId = cluster.eksCluster.apply((c) =>
            pulumi.output(c.vpcConfig).apply((vpcConfig) => vpcConfig.clusterSecurityGroupId as string),
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
                    securityGroupId: clusterSecurityGroupId,
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
        this.provider = new k8s.Provider(`${name}-k8s`, { kubeconfig: this.kubeconfig, enableServerSideApply: true }, { parent: this });
        this.clusterName = pulumi.output(settings.clusterName);
        this.oidcProviderArn = cluster.oidcProviderArn;
        this.oidcProviderUrl = cluster.oidcProviderUrl.apply((url) => url.replace(/^https:\/\//, ""));
        this.nodeSecurityGroupIds = clusterSecurityGroupId.apply((id) => [id]);
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
