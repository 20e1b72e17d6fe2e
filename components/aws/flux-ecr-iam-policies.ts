/** IAM documents that let Flux's image-reflector-controller read ECR and nothing else. */

export interface PolicyDocument {
    Version: "2012-10-17";
    Statement: Array<Record<string, unknown>>;
}

/** What image-reflector-controller does with `provider: aws`: get a registry token, list tags, read manifests. */
export const ECR_READ_ACTIONS = [
    "ecr:BatchCheckLayerAvailability",
    "ecr:BatchGetImage",
    "ecr:DescribeImages",
    "ecr:DescribeRepositories",
    "ecr:GetDownloadUrlForLayer",
    "ecr:ListImages",
];

/** IRSA: only the given service account, through the cluster's OIDC provider, for STS. */
export function irsaTrustPolicy(oidcProviderArn: string, oidcIssuer: string, namespace: string, serviceAccount: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            {
                Effect: "Allow",
                Principal: { Federated: oidcProviderArn },
                Action: "sts:AssumeRoleWithWebIdentity",
                Condition: {
                    StringEquals: {
                        [`${oidcIssuer}:sub`]: `system:serviceaccount:${namespace}:${serviceAccount}`,
                        [`${oidcIssuer}:aud`]: "sts.amazonaws.com",
                    },
                },
            },
        ],
    };
}

/** EKS Pod Identity: the Pod Identity service assumes the role; the association names the service account. */
export function podIdentityTrustPolicy(): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "pods.eks.amazonaws.com" }, Action: ["sts:AssumeRole", "sts:TagSession"] }],
    };
}

/**
 * Read-only access to exactly these repositories, plus the registry token, which has no resource
 * scope. Without repositories the read statement is left out: IAM refuses `Resource: []` as a
 * MalformedPolicyDocument.
 */
export function ecrReadPolicy(repositoryArns: readonly string[]): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [
            { Sid: "RegistryToken", Effect: "Allow", Action: "ecr:GetAuthorizationToken", Resource: "*" },
            ...(repositoryArns.length > 0 ? [{ Sid: "ReadStackRepositories", Effect: "Allow", Action: ECR_READ_ACTIONS, Resource: [...repositoryArns] }] : []),
        ],
    };
}

const ECR_IMAGE_URL = /^([0-9]{12})\.dkr\.ecr\.([a-z0-9-]+)\.amazonaws\.com(\.cn)?\/([^:@]+)/;

/**
 * The repository ARN of an ECR image URL (`<account>.dkr.ecr.<region>.amazonaws.com[.cn]/<name>`),
 * so an existing repository, e.g. another account's, can be granted like a created one; undefined
 * for any other registry.
 */
export function ecrRepositoryArn(image: string): string | undefined {
    const match = ECR_IMAGE_URL.exec(image);
    if (!match) {
        return undefined;
    }
    const [, account, region, china, name] = match;
    return `arn:${china ? "aws-cn" : "aws"}:ecr:${region}:${account}:repository/${name}`;
}
