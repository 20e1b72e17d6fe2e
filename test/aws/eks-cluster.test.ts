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
    it("puts the nodes in a security group of their own, so EKS's allow-all cluster group is not theirs", async () => {
        const { cloud, cluster } = await build();
        const group = cloud.get("aws:ec2/securityGroup:SecurityGroup", "mz-k8s-node-sg");
        assert.equal(group.inputs.vpcId, "vpc-1");
        assert.equal(group.inputs.egress, undefined, "no inline rules: the provider then removes AWS's default allow-all egress");
        assert.equal(group.inputs.tags["kubernetes.io/cluster/mz-k8s"], "owned");
        const launchTemplate = cloud.get("aws:ec2/launchTemplate:LaunchTemplate", "mz-k8s-nodes");
        assert.deepEqual(launchTemplate.inputs.vpcSecurityGroupIds, [group.id], "a group in the template keeps EKS from adding its cluster security group");
        assert.deepEqual(await valueOf(cluster.nodeSecurityGroupIds), [group.id]);
    });

    it("lets the nodes send only HTTPS, to each other, and Git over SSH, each rule with its reason", async () => {
        const { cloud } = await build();
        const group = cloud.get("aws:ec2/securityGroup:SecurityGroup", "mz-k8s-node-sg");
        const rules = cloud.ofType("aws:ec2/securityGroupRule:SecurityGroupRule");
        const summary = (filter: (r: (typeof rules)[number]) => boolean) =>
            rules
                .filter(filter)
                .map((r) => [r.inputs.type, r.inputs.securityGroupId, r.inputs.protocol, r.inputs.fromPort, r.inputs.toPort,
                    r.inputs.self ? "self" : r.inputs.sourceSecurityGroupId ?? [...(r.inputs.cidrBlocks ?? []), ...(r.inputs.ipv6CidrBlocks ?? [])].join(" ")])
                .sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)));
        assert.deepEqual(summary((r) => r.inputs.type === "egress"), [
            ["egress", group.id, "-1", 0, 0, "self"],
            ["egress", group.id, "tcp", 22, 22, GITHUB_GIT_IPV4.join(" ")],
            ["egress", group.id, "tcp", 22, 22, GITHUB_GIT_IPV6.join(" ")],
            ["egress", group.id, "tcp", 443, 443, "0.0.0.0/0 ::/0"],
        ]);
        assert.deepEqual(summary((r) => r.inputs.type === "ingress"), [
            ["ingress", group.id, "-1", 0, 0, "self"],
            ["ingress", group.id, "tcp", 1025, 65535, EKS_CLUSTER_SECURITY_GROUP],
            ["ingress", group.id, "tcp", 443, 443, EKS_CLUSTER_SECURITY_GROUP],
            ["ingress", EKS_CLUSTER_SECURITY_GROUP, "tcp", 443, 443, group.id],
        ]);
        // EC2 refuses other characters in security group (rule) descriptions, or more than 255.
        const ec2Description = /^[A-Za-z0-9 ._\-:/()#,@[\]+=&;{}!$*]{10,255}$/;
        for (const described of [group, ...rules]) {
            assert.match(described.inputs.description, ec2Description, `${described.name} says why, in characters EC2 accepts`);
        }
        assert.ok(cloud.invocations.some((i) => i.token === "github:index/getIpRanges:getIpRanges"));
        const nodeGroup = cloud.get("eks:index:ManagedNodeGroup", "mz-k8s-nodes");
        for (const rule of rules.filter((r) => !r.name.includes("git-ssh"))) {
            assert.ok(nodeGroup.dependencies.includes(rule.urn), `nodes join after ${rule.name}`);
        }
    });

    it("takes other Git hosts as CIDRs, one rule per IP family present", async () => {
        const { cloud } = await build({ gitSsh: { kind: "cidrs", cidrs: ["198.51.100.10/32"] } });
        const rules = cloud.ofType("aws:ec2/securityGroupRule:SecurityGroupRule").filter((r) => r.name.includes("git-ssh"));
        assert.deepEqual(rules.map((r) => r.inputs.cidrBlocks), [["198.51.100.10/32"]]);
        assert.ok(!cloud.invocations.some((i) => i.token === "github:index/getIpRanges:getIpRanges"));
    });

    it("opens SSH to anywhere only when asked for by name", async () => {
        const { cloud } = await build({ gitSsh: { kind: "anywhere" } });
        const cidrs = cloud
            .ofType("aws:ec2/securityGroupRule:SecurityGroupRule")
            .filter((r) => r.name.includes("git-ssh"))
            .map((r) => r.inputs.cidrBlocks ?? r.inputs.ipv6CidrBlocks)
            .sort();
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
        assert.equal(group.inputs.version, "1.34", "the nodes follow kubernetesVersion, not only the control plane");
    });

    it("makes the Kubernetes provider wait for the node group, so nothing is applied to a cluster without nodes", async () => {
        const { cloud } = await build({ kubernetesVersion: "1.33" });
        const group = cloud.get("eks:index:ManagedNodeGroup", "mz-k8s-nodes");
        assert.equal(group.inputs.version, "1.33");
        assert.ok(cloud.get("pulumi:providers:kubernetes", "mz-k8s-k8s").dependencies.includes(group.urn));
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

    it("gives the listed principals access entries with their EKS access policies, and no one else", async () => {
        const none = (await build()).cloud.get("eks:index:Cluster", "mz-k8s-eks").inputs;
        assert.deepEqual(none.accessEntries, {});
        const { cloud } = await build({
            access: [
                { principalArn: "arn:aws:iam::123456789012:role/github-deploy", access: "cluster-admin" },
                { principalArn: "arn:aws:iam::123456789012:role/github-preview", access: "view" },
            ],
        });
        assert.deepEqual(cloud.get("eks:index:Cluster", "mz-k8s-eks").inputs.accessEntries, {
            "123456789012-role-github-deploy": {
                principalArn: "arn:aws:iam::123456789012:role/github-deploy",
                accessPolicies: { "cluster-admin": { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy", accessScope: { type: "cluster" } } },
            },
            "123456789012-role-github-preview": {
                principalArn: "arn:aws:iam::123456789012:role/github-preview",
                accessPolicies: { view: { policyArn: "arn:aws:eks::aws:cluster-access-policy/AmazonEKSViewPolicy", accessScope: { type: "cluster" } } },
            },
        });
        assert.deepEqual(
            validationProblems(
                () =>
                    new EksCluster("c", {
                        ...network,
                        access: [
                            { principalArn: "arn:aws:sts::123456789012:assumed-role/deploy/session", access: "view" },
                            { principalArn: "arn:aws:iam::123456789012:role/a", access: "view" },
                            { principalArn: "arn:aws:iam::123456789012:role/a", access: "admin" as never },
                        ],
                    }),
            ),
            [
                'access[0].principalArn = "arn:aws:sts::123456789012:assumed-role/deploy/session": is an STS session ARN; give the IAM role\'s ARN, arn:aws:iam::<account>:role/<name>',
                'access[2].principalArn = "arn:aws:iam::123456789012:role/a": is already given access by access[1].principalArn; EKS allows one access entry per principal',
                'access[2].access = "admin": must be one of cluster-admin, view',
            ],
        );
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
