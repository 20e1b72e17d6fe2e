import { createHash } from "node:crypto";
import * as pulumi from "@pulumi/pulumi";
import { generateOpenSshKeyPair } from "./openssh-key.js";

/**
 * A stand-in for AWS, GitHub and Kubernetes under `pulumi.runtime.setMocks`: it records every
 * registered resource and answers with realistic outputs (ECR URLs, GitHub clone URLs, GitHub's
 * published host keys), so tests and the offline plan see the values a real run would produce.
 * An invoke it does not know throws, so an unexpected cloud lookup fails loudly.
 */

export const MOCK_ACCOUNT_ID = "123456789012";
export const MOCK_REGION = "ap-northeast-1";

export interface RecordedResource {
    type: string;
    name: string;
    /** Inputs with secrets unwrapped to their plain values. */
    inputs: Record<string, any>;
    /** Dotted paths (e.g. `stringData`) of inputs that were marked secret. */
    secretPaths: string[];
    id: string;
    urn: string;
    custom: boolean;
    provider?: string;
    /** URN of the parent resource, as the engine would record it. */
    parent?: string;
    /** URNs this resource was registered as depending on (explicit and from inputs). */
    dependencies: string[];
    /** The resource options the engine receives. */
    options: RecordedOptions;
}

export interface RecordedOptions {
    protect: boolean;
    retainOnDelete: boolean;
    ignoreChanges: string[];
    deletedWith?: string;
    additionalSecretOutputs: string[];
    customTimeouts?: { create?: string; update?: string; delete?: string };
    deleteBeforeReplace: boolean;
    /** The value whose change makes the engine replace the resource (undefined: none set). */
    replacementTrigger?: unknown;
}

/** The part of the engine's RegisterResourceRequest that the mocks read. */
interface RegisterRequest {
    getType(): string;
    getName(): string;
    getParent(): string;
    getDependenciesList(): string[];
    getProtect(): boolean;
    getRetainondelete(): boolean;
    getIgnorechangesList(): string[];
    getDeletedwith(): string;
    getAdditionalsecretoutputsList(): string[];
    getCustomtimeouts(): { getCreate(): string; getUpdate(): string; getDelete(): string } | undefined;
    getDeletebeforereplace(): boolean;
    getReplacementTrigger(): { toJavaScript(): unknown } | undefined;
}

export type OutputsFor = (args: pulumi.runtime.MockResourceArgs, cloud: MockCloud) => Record<string, any>;
export type InvokeHandler = (inputs: Record<string, any>, cloud: MockCloud) => Record<string, any>;

/** GitHub's published SSH host keys (https://api.github.com/meta, `ssh_keys`). */
export const GITHUB_SSH_KEYS = [
    "ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl",
    "ecdsa-sha2-nistp256 AAAAE2VjZHNhLXNoYTItbmlzdHAyNTYAAAAIbmlzdHAyNTYAAABBBEmKSENjQEezOmxkZMy7opKgwFB9nkt5YRrYMjNuG5N87uRgg6CLrbo5wAdT/y6v0mKV0U2w0WZ2YB/++Tpockg=",
    "ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAABgQCj7ndNxQowgcQnjshcLrqPEiiphnt+VTTvDP6mHBL9j1aNUkY4Ue1gvwnGLVlOhGeYrnZaMgRK6+PKCUXaDbC7qtbW8gIkhL7aGCsOr/C56SJMy/BCZfxd1nWzAOxSDPgVsmerOBYfNqltV9/hWCqBywINIR+5dIg6JTJ72pcEpEjcYgXkE2YEFXV1JHnsKgbLWNlhScqb2UmyRkQyytRLtL+38TGxkxCflmO+5Z8CSSNY7GidjMIZ7Q4zMjA2n1nGrlTDkzwDCsw+wqFPGQA179cnfGWOWRVruj16z6XyvxvjJwbz0wQZ75XK5tKSb7FNyeIEs4TT4jk+S4dhPeAUC5y+bDYirYgM4GC7uEnztnZyaVWQ7B381AK4Qdrwt51ZqExKbQpTUNn+EjqoTwvqNj4kqx5QUCI0ThS/YkOxJCXmPUWZbhjpCg56i+2aB6CmK2JGhn57K5mj0MNdBXA4/WnwH6XoPWJzK5Nyu2zB3nAZp+S5hpQs+p1vN1/wsjk=",
];

/** GitHub's published git ranges (https://api.github.com/meta, `git`). */
export const GITHUB_GIT_IPV4 = ["192.30.252.0/22", "185.199.108.0/22", "140.82.112.0/20", "143.55.64.0/20"];
export const GITHUB_GIT_IPV6 = ["2a0a:a440::/29", "2606:50c0::/32"];

/** The cluster security group EKS creates (control-plane network interfaces; managed nodes only when their launch template names no group). */
export const EKS_CLUSTER_SECURITY_GROUP = "sg-0eks0cluster0managed";

const arn = (service: string, resource: string, region = MOCK_REGION) =>
    `arn:aws:${service}:${region}:${MOCK_ACCOUNT_ID}:${resource}`;

/** Realistic outputs per resource type; a type not listed echoes its inputs. */
export const DEFAULT_OUTPUTS: Record<string, OutputsFor> = {
    "aws:ecr/repository:Repository": ({ inputs, name }) => {
        const repoName = inputs.name ?? name;
        return {
            name: repoName,
            arn: arn("ecr", `repository/${repoName}`),
            registryId: MOCK_ACCOUNT_ID,
            repositoryUrl: `${MOCK_ACCOUNT_ID}.dkr.ecr.${MOCK_REGION}.amazonaws.com/${repoName}`,
        };
    },
    "aws:iam/role:Role": ({ inputs, name }) => ({
        name: inputs.name ?? name,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:role/${inputs.name ?? name}`,
    }),
    "aws:iam/policy:Policy": ({ inputs, name }) => ({
        name: inputs.name ?? name,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:policy/${inputs.name ?? name}`,
    }),
    "aws:cloudwatch/eventRule:EventRule": ({ inputs, name }) => ({
        name: inputs.name ?? name,
        arn: arn("events", `rule/${inputs.name ?? name}`),
    }),
    "aws:cloudwatch/eventConnection:EventConnection": ({ inputs, name }) => ({
        name: inputs.name ?? name,
        arn: arn("events", `connection/${inputs.name ?? name}/mock-${name}`),
        secretArn: arn("secretsmanager", `secret:events!connection/${inputs.name ?? name}-mock`),
    }),
    "aws:cloudwatch/eventApiDestination:EventApiDestination": ({ inputs, name }) => ({
        name: inputs.name ?? name,
        arn: arn("events", `api-destination/${inputs.name ?? name}/mock-${name}`),
    }),
    "aws:kms/key:Key": ({ name }) => ({
        arn: arn("kms", `key/mock-${name}`),
        keyId: `mock-${name}`,
    }),
    "eks:index:Cluster": ({ inputs, name }) => {
        const clusterName = inputs.name ?? name;
        const issuer = `oidc.eks.${MOCK_REGION}.amazonaws.com/id/MOCK0${clusterName.toUpperCase().replace(/[^A-Z0-9]/g, "0")}`;
        const endpoint = `https://MOCK${clusterName.toUpperCase().replace(/[^A-Z0-9]/g, "")}.gr7.${MOCK_REGION}.eks.amazonaws.com`;
        const kubeconfig = {
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: clusterName, cluster: { server: endpoint, "certificate-authority-data": "TU9DSy1DQQ==" } }],
            contexts: [{ name: "aws", context: { cluster: clusterName, user: "aws" } }],
            "current-context": "aws",
            users: [{ name: "aws", user: { exec: { apiVersion: "client.authentication.k8s.io/v1beta1", command: "aws", args: ["eks", "get-token", "--cluster-name", clusterName, "--output", "json"] } } }],
        };
        return {
            kubeconfig,
            kubeconfigJson: JSON.stringify(kubeconfig),
            oidcIssuer: `https://${issuer}`,
            oidcProviderUrl: issuer,
            oidcProviderArn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:oidc-provider/${issuer}`,
            // pulumi-eks's own groups, which managed nodes do not use.
            clusterSecurityGroupId: "sg-0pulumieks0control",
            nodeSecurityGroupId: "sg-0pulumieks0nodes",
            eksCluster: {
                name: clusterName,
                arn: arn("eks", `cluster/${clusterName}`),
                endpoint,
                vpcConfig: { clusterSecurityGroupId: EKS_CLUSTER_SECURITY_GROUP },
            },
        };
    },
    "aws:ec2/launchTemplate:LaunchTemplate": ({ name }) => ({ latestVersion: 1, arn: arn("ec2", `launch-template/lt-${name}`) }),
    "tls:index/privateKey:PrivateKey": ({ inputs, name }, cloud) => {
        // Deterministic per name, and another key when the engine would replace it (a new trigger).
        const trigger = cloud.resources.findLast((r) => r.type === "tls:index/privateKey:PrivateKey" && r.name === name)?.options.replacementTrigger;
        const seed = trigger === undefined || trigger === 0 ? `mock-key-${name}` : `mock-key-${name}-${JSON.stringify(trigger)}`;
        const pair = generateOpenSshKeyPair(inputs.algorithm ?? "RSA", { ecdsaCurve: inputs.ecdsaCurve, rsaBits: inputs.rsaBits, seed });
        return {
            privateKeyOpenssh: pair.privateKeyOpenssh,
            privateKeyPem: pair.privateKeyPem,
            publicKeyOpenssh: pair.publicKeyOpenssh,
            publicKeyFingerprintSha256: pair.publicKeyFingerprintSha256,
        };
    },
    // Deterministic per name, so two plans of the same stack compare equal.
    "random:index/randomPassword:RandomPassword": ({ inputs, name }) => ({
        result: createHash("sha256").update(`mock-password-${name}`).digest("hex").slice(0, inputs.length ?? 32),
    }),
    "github:index/repository:Repository": ({ inputs, name }, cloud) => {
        const repoName = inputs.name ?? name;
        const fullName = `${cloud.githubOwner}/${repoName}`;
        return {
            name: repoName,
            fullName,
            sshCloneUrl: `git@github.com:${fullName}.git`,
            httpCloneUrl: `https://github.com/${fullName}.git`,
            htmlUrl: `https://github.com/${fullName}`,
            nodeId: `R_mock_${repoName}`,
            repoId: 123456,
        };
    },
};

export const DEFAULT_INVOKES: Record<string, InvokeHandler> = {
    "aws:index/getCallerIdentity:getCallerIdentity": () => ({
        accountId: MOCK_ACCOUNT_ID,
        arn: `arn:aws:iam::${MOCK_ACCOUNT_ID}:user/mock`,
        userId: "AIDAMOCK",
        id: MOCK_ACCOUNT_ID,
    }),
    "aws:index/getPartition:getPartition": () => ({
        partition: "aws",
        dnsSuffix: "amazonaws.com",
        reverseDnsPrefix: "com.amazonaws",
        id: "aws",
    }),
    "aws:index/getRegion:getRegion": () => ({ name: MOCK_REGION, region: MOCK_REGION, id: MOCK_REGION }),
    "aws:index/getAvailabilityZones:getAvailabilityZones": () => ({
        names: [`${MOCK_REGION}a`, `${MOCK_REGION}c`, `${MOCK_REGION}d`],
        zoneIds: ["apne1-az4", "apne1-az1", "apne1-az2"],
        id: MOCK_REGION,
    }),
    // A repository that does not exist yet: the provider answers a 404 with an empty result.
    "github:index/getRepository:getRepository": () => ({ id: "" }),
    "github:index/getSshKeys:getSshKeys": () => ({ id: "github", keys: [...GITHUB_SSH_KEYS] }),
    "github:index/getIpRanges:getIpRanges": () => ({
        id: "github",
        git: [...GITHUB_GIT_IPV4, ...GITHUB_GIT_IPV6],
        gitIpv4s: [...GITHUB_GIT_IPV4],
        gitIpv6s: [...GITHUB_GIT_IPV6],
    }),
};

export interface MockCloudOptions {
    /** Extra or replacing outputs per resource type. */
    outputs?: Record<string, OutputsFor>;
    /** Extra or replacing invoke handlers per token. */
    invokes?: Record<string, InvokeHandler>;
    githubOwner?: string;
}

/** The URN the engine gives a resource: its type qualified by its parent's, as the mock monitor computes it. */
function newUrn(parent: string | undefined, type: string, name: string): string {
    const qualifiedType = parent ? `${parent.split("::")[2].split("$").pop()}$${type}` : type;
    return `urn:pulumi:${pulumi.getStack()}::${pulumi.getProject()}::${qualifiedType}::${name}`;
}

function recordedOptions(request: RegisterRequest | undefined): RecordedOptions {
    const timeouts = request?.getCustomtimeouts();
    return {
        protect: request?.getProtect() ?? false,
        retainOnDelete: request?.getRetainondelete() ?? false,
        ignoreChanges: request?.getIgnorechangesList() ?? [],
        deletedWith: request?.getDeletedwith() || undefined,
        additionalSecretOutputs: request?.getAdditionalsecretoutputsList() ?? [],
        deleteBeforeReplace: request?.getDeletebeforereplace() ?? false,
        replacementTrigger: request?.getReplacementTrigger()?.toJavaScript(),
        customTimeouts: timeouts
            ? { create: timeouts.getCreate() || undefined, update: timeouts.getUpdate() || undefined, delete: timeouts.getDelete() || undefined }
            : undefined,
    };
}

function isSecretWrapper(value: unknown): value is { value: unknown } {
    return (
        typeof value === "object" &&
        value !== null &&
        (value as Record<string, unknown>)[pulumi.runtime.specialSigKey] === pulumi.runtime.specialSecretSig
    );
}

/** Replaces the mock monitor's secret wrappers by their values, noting where they were. */
export function unwrapSecrets(value: unknown, path: string, secretPaths: string[]): unknown {
    if (isSecretWrapper(value)) {
        secretPaths.push(path);
        return unwrapSecrets(value.value, path, []);
    }
    if (Array.isArray(value)) {
        return value.map((item, index) => unwrapSecrets(item, `${path}[${index}]`, secretPaths));
    }
    if (typeof value === "function") {
        return undefined;
    }
    if (typeof value === "object" && value !== null && pulumi.Resource.isInstance(value)) {
        // A resource passed as an input (e.g. pulumi-eks's cluster to its node group): keep its kind only.
        return { resourceReference: (value as unknown as { __pulumiType?: string }).__pulumiType ?? "resource" };
    }
    if (typeof value === "object" && value !== null) {
        return Object.fromEntries(
            Object.entries(value).map(([key, item]) => [
                key,
                unwrapSecrets(item, path === "" ? key : `${path}.${key}`, secretPaths),
            ]),
        );
    }
    return value;
}

export class MockCloud implements pulumi.runtime.Mocks {
    readonly resources: RecordedResource[] = [];
    readonly invocations: Array<{ token: string; inputs: Record<string, any> }> = [];
    readonly githubOwner: string;
    private readonly outputs: Record<string, OutputsFor>;
    private readonly invokes: Record<string, InvokeHandler>;
    private currentRequest: RegisterRequest | undefined;

    constructor(options: MockCloudOptions = {}) {
        this.outputs = { ...DEFAULT_OUTPUTS, ...options.outputs };
        this.invokes = { ...DEFAULT_INVOKES, ...options.invokes };
        this.githubOwner = options.githubOwner ?? "example-org";
    }

    newResource(args: pulumi.runtime.MockResourceArgs): { id: string | undefined; state: Record<string, any> } {
        const id = args.id || `${args.name}-id`;
        const request = this.currentRequest;
        const secretPaths: string[] = [];
        const inputs = unwrapSecrets(args.inputs, "", secretPaths) as Record<string, any>;
        this.resources.push({
            type: args.type,
            name: args.name,
            inputs,
            secretPaths,
            id,
            urn: newUrn(request?.getParent(), args.type, args.name),
            custom: args.custom ?? true,
            provider: args.provider,
            parent: request?.getParent() || undefined,
            dependencies: request?.getDependenciesList() ?? [],
            options: recordedOptions(request),
        });
        const extra = this.outputs[args.type]?.({ ...args, inputs }, this) ?? {};
        return { id, state: { ...args.inputs, ...extra } };
    }

    call(args: pulumi.runtime.MockCallArgs): Record<string, any> {
        this.invocations.push({ token: args.token, inputs: args.inputs });
        const handler = this.invokes[args.token];
        if (!handler) {
            throw new Error(`MockCloud: unexpected invoke ${args.token}; add a handler if the component should call it`);
        }
        return handler(args.inputs, this);
    }

    ofType(type: string): RecordedResource[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one resource of `type` named `name`; throws when absent, so a test reads as an assertion. */
    get(type: string, name: string): RecordedResource {
        const found = this.resources.find((r) => r.type === type && r.name === name);
        if (!found) {
            const names = this.ofType(type).map((r) => r.name);
            throw new Error(`no ${type} named ${name}; registered: ${names.join(", ") || "none"}`);
        }
        return found;
    }

    /**
     * Hooks into the mock monitor so each recorded resource also carries what only the engine
     * sees: its URN, parent, dependencies and options. The monitor calls `newResource` in the
     * synchronous part of `registerResource`, so the request in flight is the one being recorded.
     */
    attach(monitor: { registerResource(req: RegisterRequest, callback: unknown): unknown }): void {
        const register = monitor.registerResource.bind(monitor);
        monitor.registerResource = (req: RegisterRequest, callback: unknown) => {
            this.currentRequest = req;
            try {
                return register(req, callback);
            } finally {
                this.currentRequest = undefined;
            }
        };
    }

    reset(): void {
        this.resources.length = 0;
        this.invocations.length = 0;
    }
}

/** Installs `cloud` as Pulumi's mocks (not a preview, so outputs are known). */
export async function useMockCloud(cloud: MockCloud, project = "eks-flux-gitops", stack = "test"): Promise<MockCloud> {
    await pulumi.runtime.setMocks(cloud, project, stack, false);
    cloud.attach(pulumi.runtime.getMonitor() as unknown as Parameters<MockCloud["attach"]>[0]);
    return cloud;
}

/** Resolves an Output's value in a test. */
export function valueOf<T>(output: pulumi.Input<T>): Promise<T> {
    return new Promise((resolve) => pulumi.output(output).apply((v) => resolve(v as T)));
}

/** Resolves whether an Output is marked secret. */
export function isSecretOutput(output: pulumi.Output<unknown>): Promise<boolean> {
    return pulumi.isSecret(output);
}

/**
 * Waits until registrations stop arriving at the mocks: Pulumi registers children asynchronously,
 * so a test reads `cloud.resources` only after the count has held still for a few turns.
 */
export async function settled(cloud: MockCloud): Promise<void> {
    let stableTurns = 0;
    let last = -1;
    while (stableTurns < 20) {
        await new Promise((resolve) => setTimeout(resolve, 1));
        stableTurns = cloud.resources.length === last ? stableTurns + 1 : 0;
        last = cloud.resources.length;
    }
}
