import { strict as assert } from "node:assert";
import { EksCluster, type EksClusterArgs } from "../../components/aws/eks-cluster.js";
import { EKS_CLUSTER_SECURITY_GROUP, GITHUB_GIT_IPV4, GITHUB_GIT_IPV6, MockCloud, isSecretOutput, settled, useMockCloud, valueOf } from "../../testing/mock-cloud.js";
import { validationProblems } from "../../testing/problems.js";

const network = { vpcId: "vpc-1", privateSubnetIds: ["subnet-a", "subnet-b"] };

async function build(args: Partial<EksClusterArgs> = {}) {
    const cloud = await useMockCloud(new MockCloud());
    const cluster = new EksCluster("mz-k8s", { ...network, ...args });
    await valueOf(cluster.nodeSecurityGroupIds);
    await settled(cloud);
    return { cloud, cluster };
}


describe("EksCluster", () => {
    it("puts the SSH egress rule on the security group managed nodes really use, to GitHub's git ranges", async () => {
        const { cloud, cluster } = await build();
        const rules = cloud.ofType("aws:ec2/securityGroupRule:SecurityGroupRule");
        assert.deepEqual(rules.map((r) => r.name).sort(), ["mz-k8s-git-ssh-ipv4", "mz-k8s-git-ssh-ipv6"]);
        for (const rule of rules) {
            assert.equal(rule.inputs.type, "egress");
            assert.equal(rule.inputs.protocol, "tcp");
            assert.equal(rule.inputs.fromPort, 22);
            assert.equal(rule.inputs.toPort, 22);
            assert.equal(rule.inputs.securityGroupId, EKS_CLUSTER_SECURITY_GROUP, "not pulumi-eks's nodeSecurityGroupId");
        }
        assert.deepEqual(cloud.get("aws:ec2/securityGroupRule:SecurityGroupRule", "mz-k8s-git-ssh-ipv4").inputs.cidrBlocks, GITHUB_GIT_IPV4);
        assert.deepEqual(cloud.get("aws:ec2/securityGroupRule:SecurityGroupRule", "mz-k8s-git-ssh-ipv6").inputs.ipv6CidrBlocks, GITHUB_GIT_IPV6);
        assert.deepEqual(await valueOf(cluster.nodeSecurityGroupIds), [EKS_CLUSTER_SECURITY_GROUP]);
        assert.ok(cloud.invocations.some((i) => i.token === "github:index/getIpRanges:getIpRanges"));
        const launchTemplate = cloud.ofType("aws:ec2/launchTemplate:LaunchTemplate")[0];
        assert.equal(launchTemplate.inputs.vpcSecurityGroupIds, undefined, "no SGs in the template, so EKS attaches its cluster SG");
    });

    it("takes other Git hosts as CIDRs, one rule per IP family present", async () => {
        const { cloud } = await build({ gitSsh: { kind: "cidrs", cidrs: ["198.51.100.10/32"] } });
        const rules = cloud.ofType("aws:ec2/securityGroupRule:SecurityGroupRule");
        assert.deepEqual(rules.map((r) => r.inputs.cidrBlocks), [["198.51.100.10/32"]]);
        assert.ok(!cloud.invocations.some((i) => i.token === "github:index/getIpRanges:getIpRanges"));
    });

    it("opens SSH to anywhere only when asked for by name", async () => {
        const { cloud } = await build({ gitSsh: { kind: "anywhere" } });
        const cidrs = cloud.ofType("aws:ec2/securityGroupRule:SecurityGroupRule").map((r) => r.inputs.cidrBlocks ?? r.inputs.ipv6CidrBlocks).sort();
        assert.deepEqual(cidrs, [["0.0.0.0/0"], ["::/0"]]);
        assert.deepEqual(validationProblems(() => new EksCluster("c", { ...network, gitSsh: { kind: "cidrs", cidrs: ["0.0.0.0/0"] } })), [
            'gitSsh.cidrs[0] = "0.0.0.0/0": opens SSH to the whole internet; if that is really meant, use { kind: "anywhere" }',
        ]);
        assert.deepEqual(validationProblems(() => new EksCluster("c", { ...network, gitSsh: { kind: "cidrs", cidrs: ["0.0.0.0/1", "128.0.0.0/1"] } })), [
            'gitSsh.cidrs = ["0.0.0.0/1","128.0.0.0/1"]: together cover every IPv4 address, which opens SSH to the whole internet; if that is really meant, use { kind: "anywhere" }',
        ]);
        assert.deepEqual(
            validationProblems(() => new EksCluster("c", { ...network, endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1"] })),
            [
                'publicAccessCidrs = ["0.0.0.0/2","64.0.0.0/2","128.0.0.0/1"]: together cover every IPv4 address, which opens the API endpoint to the whole internet; set allowPublicEndpointFromAnywhere: true if that is really meant',
            ],
        );
    });

    it("encrypts Secrets with a rotating customer-managed key and logs all five control-plane types", async () => {
        const { cloud, cluster } = await build();
        const key = cloud.get("aws:kms/key:Key", "mz-k8s-secrets");
        assert.equal(key.inputs.enableKeyRotation, true);
        const eks = cloud.get("eks:index:Cluster", "mz-k8s-eks");
        assert.equal(eks.inputs.encryptionConfigKeyArn, "arn:aws:kms:ap-northeast-1:123456789012:key/mock-mz-k8s-secrets");
        assert.deepEqual(eks.inputs.enabledClusterLogTypes, ["api", "audit", "authenticator", "controllerManager", "scheduler"]);
        assert.equal(eks.inputs.createOidcProvider, true);
        assert.equal(eks.inputs.skipDefaultNodeGroup, true);
        assert.equal(await valueOf(cluster.secretsEncryptionKeyArn), eks.inputs.encryptionConfigKeyArn);
        assert.ok(eks.dependencies.includes(key.urn));
    });

    it("keeps the endpoint private by default and limits a public one to the given CIDRs", async () => {
        const privateOnly = (await build()).cloud.get("eks:index:Cluster", "mz-k8s-eks").inputs;
        assert.equal(privateOnly.endpointPublicAccess, false);
        assert.equal(privateOnly.endpointPrivateAccess, true);
        assert.equal(privateOnly.publicAccessCidrs, undefined);
        const limited = (await build({ publicAccessCidrs: ["203.0.113.0/24"] })).cloud.get("eks:index:Cluster", "mz-k8s-eks").inputs;
        assert.equal(limited.endpointPublicAccess, true);
        assert.deepEqual(limited.publicAccessCidrs, ["203.0.113.0/24"]);
        assert.deepEqual(validationProblems(() => new EksCluster("c", { ...network, publicAccessCidrs: ["0.0.0.0/0"] })), [
            'publicAccessCidrs[0] = "0.0.0.0/0": opens the API endpoint to the whole internet; set allowPublicEndpointFromAnywhere: true if that is really meant',
        ]);
        assert.deepEqual(validationProblems(() => new EksCluster("c", { ...network, endpointPublicAccess: true })), [
            "endpointPublicAccess = true: a public endpoint must be limited with publicAccessCidrs (or opened to all with allowPublicEndpointFromAnywhere: true)",
        ]);
        const open = (await build({ publicAccessCidrs: ["0.0.0.0/0"], allowPublicEndpointFromAnywhere: true })).cloud.get("eks:index:Cluster", "mz-k8s-eks");
        assert.deepEqual(open.inputs.publicAccessCidrs, ["0.0.0.0/0"]);
    });

    it("requires IMDSv2 with hop limit 1 on managed nodes through their launch template", async () => {
        const { cloud } = await build({ instanceTypes: ["m6i.large"], desiredSize: 3, minSize: 1, maxSize: 5 });
        const template = cloud.get("aws:ec2/launchTemplate:LaunchTemplate", "mz-k8s-nodes");
        assert.deepEqual(template.inputs.metadataOptions, { httpEndpoint: "enabled", httpTokens: "required", httpPutResponseHopLimit: 1 });
        assert.equal(template.inputs.blockDeviceMappings[0].ebs.encrypted, "true");
        const group = cloud.get("eks:index:ManagedNodeGroup", "mz-k8s-nodes");
        assert.deepEqual(group.inputs.launchTemplate, { id: "mz-k8s-nodes-id", version: "1" });
        assert.deepEqual(group.inputs.instanceTypes, ["m6i.large"]);
        assert.deepEqual(group.inputs.scalingConfig, { desiredSize: 3, minSize: 1, maxSize: 5 });
        assert.ok(group.dependencies.includes(template.urn));
    });

    it("gives a secret kubeconfig, a provider built from it, and the IRSA issuer without https", async () => {
        const { cloud, cluster } = await build();
        assert.equal(await isSecretOutput(cluster.kubeconfig), true);
        assert.equal(JSON.parse(await valueOf(cluster.kubeconfig)).kind, "Config");
        const provider = cloud.get("pulumi:providers:kubernetes", "mz-k8s-k8s");
        assert.deepEqual(provider.secretPaths, ["kubeconfig"]);
        assert.equal(JSON.parse(provider.inputs.kubeconfig).clusters[0].name, "mz-k8s");
        assert.match(await valueOf(cluster.oidcProviderUrl), /^oidc\.eks\.ap-northeast-1\.amazonaws\.com\/id\//);
        assert.match(await valueOf(cluster.oidcProviderArn), /^arn:aws:iam::123456789012:oidc-provider\/oidc\.eks\./);
    });

    it("rejects bad settings before creating anything, one message per problem", async () => {
        const cloud = await useMockCloud(new MockCloud());
        assert.deepEqual(
            validationProblems(
                () =>
                    new EksCluster("c", {
                        ...network,
                        clusterName: "-bad name",
                        kubernetesVersion: "1.34.2",
                        instanceTypes: ["large"],
                        minSize: 3,
                        desiredSize: 2,
                        maxSize: 0,
                        controlPlaneLogTypes: ["api", "kubelet" as never],
                        nodeMetadataHopLimit: 3,
                    }),
            ),
            [
                'clusterName = "-bad name": must be an EKS cluster name: 1 to 100 letters, digits, \'-\' or \'_\', starting with a letter or digit',
                'kubernetesVersion = "1.34.2": must be an EKS Kubernetes version as major.minor, such as 1.34',
                'instanceTypes[0] = "large": must be an EC2 instance type such as t3.large',
                "maxSize = 0: must be a whole number, 1 or more",
                "desiredSize = 2: must be a whole number between minSize (3) and maxSize (0)",
                'controlPlaneLogTypes[1] = "kubelet": must be one of api, audit, authenticator, controllerManager, scheduler',
                "nodeMetadataHopLimit = 3: must be 1 (pods cannot reach the node role) or 2",
            ],
        );
        await settled(cloud);
        assert.equal(cloud.resources.length, 0);
    });
});
