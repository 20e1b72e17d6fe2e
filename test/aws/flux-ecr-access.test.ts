import { strict as assert } from "node:assert";
import { FluxEcrAccess, IRSA_ROLE_ANNOTATION } from "../../components/aws/flux-ecr-access.js";
import { ECR_READ_ACTIONS, ecrReadPolicy, ecrRepositoryArn } from "../../components/aws/flux-ecr-iam-policies.js";
import { InputValidationError } from "../../components/validate.js";
import { MockCloud, settled, useMockCloud, valueOf } from "../../testing/mock-cloud.js";

const arns = ["arn:aws:ecr:ap-northeast-1:123456789012:repository/mamezou-tech/task-service"];
const issuer = "oidc.eks.ap-northeast-1.amazonaws.com/id/ABC";

describe("FluxEcrAccess", () => {
    it("lets only flux-system/image-reflector-controller assume the role through IRSA", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const access = new FluxEcrAccess("flux-ecr", { repositoryArns: arns, oidcProviderArn: `arn:aws:iam::123456789012:oidc-provider/${issuer}`, oidcProviderUrl: `https://${issuer}` });
        const annotations = await valueOf(access.serviceAccountAnnotations);
        await settled(cloud);
        const trust = JSON.parse(cloud.get("aws:iam/role:Role", "flux-ecr-role").inputs.assumeRolePolicy);
        assert.equal(trust.Statement.length, 1);
        const [statement] = trust.Statement;
        assert.deepEqual(statement.Principal, { Federated: `arn:aws:iam::123456789012:oidc-provider/${issuer}` });
        assert.equal(statement.Action, "sts:AssumeRoleWithWebIdentity");
        assert.deepEqual(statement.Condition.StringEquals, {
            [`${issuer}:sub`]: "system:serviceaccount:flux-system:image-reflector-controller",
            [`${issuer}:aud`]: "sts.amazonaws.com",
        });
        assert.deepEqual(annotations, { [IRSA_ROLE_ANNOTATION]: "arn:aws:iam::123456789012:role/flux-ecr-role" });
        assert.equal(cloud.ofType("aws:eks/podIdentityAssociation:PodIdentityAssociation").length, 0);
    });

    it("allows reading only the stack's repositories, plus the registry token", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new FluxEcrAccess("flux-ecr", { repositoryArns: arns, oidcProviderArn: "arn:x", oidcProviderUrl: issuer });
        await settled(cloud);
        const policy = JSON.parse(cloud.get("aws:iam/rolePolicy:RolePolicy", "flux-ecr-ecr-read").inputs.policy);
        assert.deepEqual(policy.Statement, [
            { Sid: "RegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            { Sid: "ReadStackRepositories", Effect: "Allow", Action: ECR_READ_ACTIONS, Resource: arns },
        ]);
        const actions = policy.Statement.flatMap((s: { Action: string | string[] }) => [s.Action].flat());
        assert.ok(actions.every((a: string) => !/Put|Delete|Upload|Complete|Initiate|\*$/.test(a)), "no write action");
    });

    it("never writes an empty Resource list, which IAM refuses as MalformedPolicyDocument", () => {
        assert.deepEqual(ecrReadPolicy([]).Statement, [{ Sid: "RegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" }]);
    });

    it("derives the repository ARN of an existing ECR image, in its partition", () => {
        assert.equal(ecrRepositoryArn("210987654321.dkr.ecr.eu-west-1.amazonaws.com/team/app"), "arn:aws:ecr:eu-west-1:210987654321:repository/team/app");
        assert.equal(ecrRepositoryArn("210987654321.dkr.ecr.cn-north-1.amazonaws.com.cn/app:1.0.0"), "arn:aws-cn:ecr:cn-north-1:210987654321:repository/app");
        assert.equal(ecrRepositoryArn("ghcr.io/fluxcd/source-controller"), undefined);
    });

    it("associates the role with EKS Pod Identity when asked, installing the agent", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const access = new FluxEcrAccess("flux-ecr", { repositoryArns: arns, mode: "pod-identity", clusterName: "mz-k8s" });
        assert.deepEqual(await valueOf(access.serviceAccountAnnotations), {});
        await settled(cloud);
        const trust = JSON.parse(cloud.get("aws:iam/role:Role", "flux-ecr-role").inputs.assumeRolePolicy);
        assert.deepEqual(trust.Statement[0], { Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] });
        const association = cloud.get("aws:eks/podIdentityAssociation:PodIdentityAssociation", "flux-ecr-association");
        assert.deepEqual(
            { cluster: association.inputs.clusterName, namespace: association.inputs.namespace, serviceAccount: association.inputs.serviceAccount, role: association.inputs.roleArn },
            { cluster: "mz-k8s", namespace: "flux-system", serviceAccount: "image-reflector-controller", role: "arn:aws:iam::123456789012:role/flux-ecr-role" },
        );
        const agent = cloud.get("aws:eks/addon:Addon", "flux-ecr-pod-identity-agent");
        assert.equal(agent.inputs.addonName, "eks-pod-identity-agent");
        assert.ok(association.dependencies.includes(agent.urn));
    });

    it("names the missing inputs and bad names", () => {
        assert.throws(
            () => new FluxEcrAccess("x", { repositoryArns: arns, namespace: "Flux_System" }),
            (e: unknown) =>
                e instanceof InputValidationError &&
                /namespace = "Flux_System": must be a Kubernetes name/.test(e.message) &&
                /oidcProviderArn = null: mode "irsa" needs oidcProviderArn and oidcProviderUrl/.test(e.message),
        );
        assert.throws(() => new FluxEcrAccess("x", { repositoryArns: arns, mode: "pod-identity" }), /clusterName = null: mode "pod-identity" needs the cluster name/);
    });
});
