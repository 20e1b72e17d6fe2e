import { strict as assert } from "node:assert";
import { allRules } from "../policy/rules/index.js";
import { runRules, unknownRuleNames, type PackConfig } from "../policy/run.js";
import type { Subject } from "../policy/subject.js";
import { expirableTags, selectableTags, tagPatternMatches } from "../components/aws/ecr-lifecycle-policy.js";

let counter = 0;
function subject(type: string, props: Record<string, any>, extra: Partial<Subject> = {}): Subject {
    const name = extra.name ?? `r${counter++}`;
    return { urn: `urn:pulumi:prod::p::${type}::${name}`, type, name, props, dependencies: [], ignoreChanges: [], secretPaths: [], ...extra };
}

function findings(rule: string, subjects: Subject[], config: PackConfig = {}) {
    return runRules(subjects, config, allRules.filter((r) => r.name === rule));
}

/** Asserts the rule passes `good` and reports `bad` with a message matching `advice`. */
function check(rule: string, good: Subject[], bad: Subject[], advice: RegExp, config: PackConfig = {}) {
    assert.deepEqual(findings(rule, good, config), [], `${rule} should pass the compliant resources`);
    const reported = findings(rule, bad, config);
    assert.ok(reported.length > 0, `${rule} should report the violating resources`);
    for (const violation of reported) {
        assert.equal(violation.rule, rule);
        assert.equal(violation.level, "mandatory");
        assert.match(violation.message, advice);
    }
}

const KEY_ARN = "arn:aws:kms:ap-northeast-1:123456789012:key/k";
const ALL_LOGS = ["api", "audit", "authenticator", "controllerManager", "scheduler"];

describe("policy rules", () => {
    it("has 30 uniquely named rules, each described", () => {
        const names = allRules.map((r) => r.name);
        assert.equal(new Set(names).size, names.length);
        assert.equal(names.length, 30);
        assert.ok(allRules.every((r) => r.description.length > 20));
    });

    describe("EKS", () => {
        const key = subject("aws:kms/key:Key", { enableKeyRotation: true });
        const cluster = (props: Record<string, any>, deps: string[] = [key.urn]) =>
            subject("eks:index:Cluster", { endpointPublicAccess: false, encryptionConfigKeyArn: KEY_ARN, enabledClusterLogTypes: ALL_LOGS, ...props }, { dependencies: deps });

        it("eks-endpoint-not-public", () => {
            check("eks-endpoint-not-public", [cluster({}), cluster({ endpointPublicAccess: true, publicAccessCidrs: ["203.0.113.0/24"] })],
                [cluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/0"] }), cluster({ endpointPublicAccess: true }), cluster({ endpointPublicAccess: true, publicAccessCidrs: ["::/0"] })],
                /turn endpointPublicAccess off, or list only the CIDRs/);
        });
        it("eks-endpoint-not-public sees split CIDRs that cover every address", () => {
            check("eks-endpoint-not-public", [cluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/2"] })],
                [cluster({ endpointPublicAccess: true, publicAccessCidrs: ["0.0.0.0/1", "128.0.0.0/1"] }), cluster({ endpointPublicAccess: true, publicAccessCidrs: ["::/1", "8000::/1"] })],
                /together cover every IPv(4|6) address; list only the CIDRs that deploy/);
        });
        it("eks-secrets-encrypted", () => {
            check("eks-secrets-encrypted", [key, cluster({})], [cluster({ encryptionConfigKeyArn: undefined })], /encryptionConfigKeyArn/);
            check("eks-secrets-encrypted", [key, cluster({})], [subject("aws:kms/key:Key", { enableKeyRotation: false }, { name: "norot" }), cluster({}, ["urn:pulumi:prod::p::aws:kms/key:Key::norot"])], /enableKeyRotation: true/);
            check("eks-secrets-encrypted", [key, cluster({})], [cluster({}, [])], /cannot be checked; manage the key here/);
        });
        it("eks-control-plane-logging", () => {
            check("eks-control-plane-logging", [cluster({})], [cluster({ enabledClusterLogTypes: ["api", "audit"] })], /missing: authenticator, controllerManager, scheduler/);
        });
        it("eks-nodes-imdsv2", () => {
            const template = subject("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: { httpTokens: "required", httpPutResponseHopLimit: 1 } });
            const group = subject("eks:index:ManagedNodeGroup", { launchTemplate: { id: "lt", version: "1" } }, { dependencies: [template.urn] });
            check("eks-nodes-imdsv2", [template, group], [subject("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: { httpTokens: "optional", httpPutResponseHopLimit: 2 } })], /httpTokens .*"required".*hop/i);
            check("eks-nodes-imdsv2", [template, group], [template, subject("eks:index:ManagedNodeGroup", {})], /no launch template/);
        });
        it("ssh-egress-git-only", () => {
            const rule = (props: Record<string, any>) => subject("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", { ipProtocol: "tcp", fromPort: 22, toPort: 22, ...props });
            const allEgress = subject("aws:vpc/securityGroupEgressRule:SecurityGroupEgressRule", { ipProtocol: "-1", cidrIpv4: "0.0.0.0/0" });
            const https = rule({ cidrIpv4: "0.0.0.0/0", fromPort: 443, toPort: 443, description: "HTTPS" });
            check("ssh-egress-git-only", [rule({ cidrIpv4: "140.82.112.0/20" }), rule({ cidrIpv6: "2606:50c0::/32" }), rule({ cidrIpv4: "140.82.121.4/32" }), https],
                [rule({ cidrIpv4: "0.0.0.0/0" }), rule({ cidrIpv4: "140.82.112.0/20", fromPort: 0, toPort: 65535, description: "git over ssh" })],
                /limit the rule to TCP 22 and the Git host's CIDRs/);
            const legacy = (props: Record<string, any>) => subject("aws:ec2/securityGroupRule:SecurityGroupRule", { type: "egress", protocol: "tcp", fromPort: 22, toPort: 22, ...props });
            const toNodes = legacy({ protocol: "-1", fromPort: 0, toPort: 0, self: true, description: "node to node" });
            check("ssh-egress-git-only", [https, legacy({ cidrBlocks: ["140.82.112.0/20"] }), toNodes],
                [allEgress, rule({ cidrIpv4: "10.0.0.0/8", fromPort: 20, toPort: 30, description: "monitoring" }), legacy({ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"], description: "internet" })],
                /SSH egress (opens .* not TCP 22 alone|reaches )/);
            check("ssh-egress-git-only", [rule({ cidrIpv4: "198.51.100.7/32" })], [rule({ cidrIpv4: "140.82.112.0/20" })], /outside the Git ranges 198.51.100.0\/24/,
                { "ssh-egress-git-only": { allowedCidrs: ["198.51.100.0/24"] } });
        });
    });

    describe("EKS node egress", () => {
        it("eks-node-egress-limited", () => {
            const group = subject("aws:ec2/securityGroup:SecurityGroup", { vpcId: "vpc-1" });
            const template = subject("aws:ec2/launchTemplate:LaunchTemplate", { vpcSecurityGroupIds: ["sg-nodes"] }, { dependencies: [group.urn] });
            const nodeGroup = subject("eks:index:ManagedNodeGroup", { launchTemplate: { id: "lt", version: "1" } }, { dependencies: [template.urn] });
            const egress = (props: Record<string, any>) =>
                subject("aws:ec2/securityGroupRule:SecurityGroupRule", { type: "egress", securityGroupId: "sg-nodes", ...props }, { dependencies: [group.urn] });
            const https = egress({ protocol: "tcp", fromPort: 443, toPort: 443, cidrBlocks: ["0.0.0.0/0"] });
            const git = egress({ protocol: "tcp", fromPort: 22, toPort: 22, cidrBlocks: ["140.82.112.0/20"] });
            const self = egress({ protocol: "-1", fromPort: 0, toPort: 0, self: true });
            const compliant = [group, template, nodeGroup, https, git, self];
            check("eks-node-egress-limited", compliant, [...compliant, egress({ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] })],
                /opens SSH beside the Git rule; allow only the ports the nodes need/);
            check("eks-node-egress-limited", compliant, [...compliant, egress({ protocol: "tcp", fromPort: 0, toPort: 1024, cidrBlocks: ["10.0.0.0/8"] })], /ports 0-1024/);
            check("eks-node-egress-limited", compliant,
                [group, subject("aws:ec2/securityGroup:SecurityGroup", { egress: [{ protocol: "-1", fromPort: 0, toPort: 0, cidrBlocks: ["0.0.0.0/0"] }] }, { name: "inline" }),
                    subject("aws:ec2/launchTemplate:LaunchTemplate", { vpcSecurityGroupIds: ["sg-inline"] }, { name: "lt-inline", dependencies: ["urn:pulumi:prod::p::aws:ec2/securityGroup:SecurityGroup::inline"] }),
                    subject("eks:index:ManagedNodeGroup", {}, { dependencies: ["urn:pulumi:prod::p::aws:ec2/launchTemplate:LaunchTemplate::lt-inline"] })],
                /opens SSH beside the Git rule/);
            const bare = subject("aws:ec2/launchTemplate:LaunchTemplate", { metadataOptions: {} });
            check("eks-node-egress-limited", compliant, [bare, subject("eks:index:ManagedNodeGroup", {}, { dependencies: [bare.urn] })],
                /EKS's cluster security group, whose default egress allows everything/);
        });
    });

    describe("ECR", () => {
        const repo = (props: Record<string, any> = {}) =>
            subject("aws:ecr/repository:Repository", {
                name: "mamezou-tech/task-service",
                imageScanningConfiguration: { scanOnPush: true },
                imageTagMutability: "IMMUTABLE",
                encryptionConfigurations: [{ encryptionType: "KMS", kmsKey: KEY_ARN }],
                ...props,
            });
        it("ecr-scan-on-push", () => check("ecr-scan-on-push", [repo()], [repo({ imageScanningConfiguration: { scanOnPush: false } })], /scanOnPush to true/));
        it("ecr-immutable-tags", () => check("ecr-immutable-tags", [repo()], [repo({ imageTagMutability: "MUTABLE" })], /set it to IMMUTABLE/));
        it("ecr-kms-encryption", () => check("ecr-kms-encryption", [repo()], [repo({ encryptionConfigurations: [{ encryptionType: "AES256" }] })], /encryptionType: "KMS"/));

        it("ecr-lifecycle-keeps-selectable-tags", () => {
            const image = subject("kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository", {
                metadata: { name: "task-service", namespace: "flux-system" },
                spec: { image: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/mamezou-tech/task-service", provider: "aws" },
            });
            const policy = subject("kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy", {
                metadata: { name: "task-service", namespace: "flux-system" },
                spec: { imageRepositoryRef: { name: "task-service" }, policy: { semver: { range: "1.1.x" } } },
            });
            const lifecycle = (rules: unknown[]) => subject("aws:ecr/lifecyclePolicy:LifecyclePolicy", { repository: "mamezou-tech/task-service", policy: JSON.stringify({ rules }) });
            const untagged = { rulePriority: 1, selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 }, action: { type: "expire" } };
            const prTags = { rulePriority: 2, selection: { tagStatus: "tagged", tagPatternList: ["pr-*"], countType: "imageCountMoreThan", countNumber: 5 }, action: { type: "expire" } };
            const everything = { rulePriority: 3, selection: { tagStatus: "tagged", tagPatternList: ["1.*"], countType: "imageCountMoreThan", countNumber: 5 }, action: { type: "expire" } };
            check("ecr-lifecycle-keeps-selectable-tags", [repo(), image, policy, lifecycle([untagged, prTags])], [repo(), image, policy, lifecycle([untagged, everything])], /rule 3 can expire 1.1.0, 1.1.1, 1.1.10, which the ImagePolicy range 1.1.x may select/);
            check("ecr-lifecycle-keeps-selectable-tags", [repo(), lifecycle([untagged])], [repo()], /has no lifecycle policy/);
        });

        it("ecr-no-force-delete", () => check("ecr-no-force-delete", [repo(), repo({ forceDelete: false })], [repo({ forceDelete: true })], /forceDelete: true, so destroying it deletes every image/));
        it("ecr-no-public-policy", () => {
            const policy = (statement: Record<string, unknown>) => subject("aws:ecr/repositoryPolicy:RepositoryPolicy", { repository: "r", policy: JSON.stringify({ Statement: [statement] }) });
            check("ecr-no-public-policy", [policy({ Effect: "Allow", Principal: { AWS: "arn:aws:iam::123456789012:root" }, Action: "ecr:*" })],
                [policy({ Effect: "Allow", Principal: "*", Action: "ecr:BatchGetImage" }), policy({ Effect: "Allow", Principal: { AWS: ["*"] }, Action: "ecr:*" })], /allows Principal "\*"/);
        });

        it("matches ECR tag patterns and derives the tags a range may select", () => {
            assert.equal(tagPatternMatches("pr-*", "pr-12"), true);
            assert.equal(tagPatternMatches("1.*", "1.1.0"), true);
            assert.equal(tagPatternMatches("1.*", "v1.1.0"), false);
            assert.equal(tagPatternMatches("a.b", "aXb"), false);
            assert.ok(selectableTags("1.1.x").includes("v1.1.0"));
            assert.ok(selectableTags("1.1.x").every((t) => /^v?1\.1\.\d+$/.test(t)));
            assert.deepEqual(expirableTags({ selection: { tagStatus: "tagged", tagPrefixList: ["v"] }, action: { type: "expire" } }, ["1.1.0", "v1.1.0"]), ["v1.1.0"]);
            assert.deepEqual(expirableTags({ selection: { tagStatus: "any" }, action: { type: "expire" } }, ["1.1.0"]), ["1.1.0"]);
        });
    });

    describe("GitHub", () => {
        const repo = (props: Record<string, any> = {}) => subject("github:index/repository:Repository", { name: "task-tool-cluster-config", visibility: "private", vulnerabilityAlerts: true, archiveOnDestroy: true, ...props });
        it("github-repository-private", () => check("github-repository-private", [repo()], [repo({ visibility: "public" })], /visibility: "private"/));
        it("github-vulnerability-alerts", () => check("github-vulnerability-alerts", [repo()], [repo({ vulnerabilityAlerts: false })], /vulnerabilityAlerts: true/));
        it("github-archive-on-destroy", () => check("github-archive-on-destroy", [repo()], [repo({ archiveOnDestroy: false })], /archiveOnDestroy: true/));
        it("deploy-key-read-only", () => {
            const key = (readOnly: boolean) => subject("github:index/repositoryDeployKey:RepositoryDeployKey", { title: "flux", readOnly });
            const automation = subject("kubernetes:image.toolkit.fluxcd.io/v1:ImageUpdateAutomation", { metadata: { name: "task-tool" } });
            check("deploy-key-read-only", [key(true), key(false), automation], [key(false)], /set readOnly: true/);
        });
    });

    describe("keys and secrets", () => {
        it("deploy-key-algorithm", () => {
            const key = (props: Record<string, any>) => subject("tls:index/privateKey:PrivateKey", props);
            check("deploy-key-algorithm", [key({ algorithm: "ED25519" }), key({ algorithm: "ECDSA", ecdsaCurve: "P384" }), key({ algorithm: "RSA", rsaBits: 4096 })],
                [key({ algorithm: "RSA", rsaBits: 2048 }), key({ algorithm: "ECDSA", ecdsaCurve: "P224" }), key({})], /use ED25519/);
        });
        it("key-material-secret", () => {
            const pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";
            const secret = (secretPaths: string[]) => subject("kubernetes:core/v1:Secret", { metadata: { name: "ssh" }, stringData: { identity: pem, known_hosts: "x" } }, { secretPaths });
            check("key-material-secret", [secret(["stringData"]), secret(["stringData.identity"])], [secret([])], /stringData.identity of this Secret is not a Pulumi secret/);
            const stack = (secretPaths: string[]) => subject("pulumi:pulumi:Stack", { deployKey: pem }, { secretPaths });
            check("key-material-secret", [stack(["deployKey"])], [stack([])], /deployKey hold\(s\) a private key in plain text/);
            assert.deepEqual(findings("key-material-secret", [secret([]) && { ...secret([]), secretPaths: undefined }]), [], "unknown secretness is not judged");
        });
        it("kubeconfig-secret", () => {
            const provider = (secretPaths: string[] | undefined) => subject("pulumi:providers:kubernetes", { kubeconfig: "{}" }, { secretPaths });
            check("kubeconfig-secret", [provider(["kubeconfig"]), provider([""]), subject("pulumi:providers:kubernetes", {}, { secretPaths: [] })], [provider([])], /kubeconfig of provider .* is not a Pulumi secret/);
            assert.deepEqual(findings("kubeconfig-secret", [provider(undefined)]), [], "unknown secretness is not judged");
        });
        it("known-hosts-published", () => {
            const secret = (knownHosts: string) => subject("kubernetes:core/v1:Secret", { metadata: { name: "ssh" }, stringData: { known_hosts: knownHosts } });
            const full = "github.com ssh-ed25519 AAAA1\ngithub.com ecdsa-sha2-nistp256 AAAA2\ngithub.com ssh-rsa AAAA3\n";
            check("known-hosts-published", [secret(full), secret("[secret]"), secret("[127.0.0.1]:2222 ssh-ed25519 AAAA")], [secret("github.com ssh-ed25519 AAAA1\n")], /lacks github.com's published ecdsa-sha2-nistp256, ssh-rsa key/);
            check("known-hosts-published", [secret(full)], [secret("\n")], /known_hosts is empty/);
        });
    });

    describe("Flux", () => {
        const crd = subject("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", { spec: { group: "source.toolkit.fluxcd.io", names: { kind: "GitRepository" } } });
        const controller = subject("kubernetes:apps/v1:Deployment", { metadata: { name: "source-controller", labels: { "app.kubernetes.io/part-of": "flux" } }, spec: { template: { spec: { containers: [{ name: "manager", args: [] }] } } } });
        const gitRepository = (props: Record<string, any> = {}, deps = [crd.urn, controller.urn], type = "kubernetes:source.toolkit.fluxcd.io/v1:GitRepository") =>
            subject(type, { metadata: { name: "task-tool", namespace: "flux-system" }, spec: { url: "ssh://git@github.com/o/r", ref: { branch: "main" }, ...props } }, { dependencies: deps });

        it("flux-served-apis", () => check("flux-served-apis", [gitRepository()], [gitRepository({}, [], "kubernetes:source.toolkit.fluxcd.io/v1beta2:GitRepository")], /use source.toolkit.fluxcd.io\/v1/));
        it("flux-git-ssh-branch", () => {
            check("flux-git-ssh-branch", [gitRepository()], [gitRepository({ url: "https://github.com/o/r" }), gitRepository({ ref: {} })], /ssh:\/\/git@|spec.ref.branch is not set/);
        });
        it("flux-ecr-provider-aws", () => {
            const image = (provider?: string) => subject("kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository", { metadata: { name: "a" }, spec: { image: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/x/a", provider } });
            const local = subject("kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository", { metadata: { name: "b" }, spec: { image: "127.0.0.1:5000/x/b", provider: "generic" } });
            check("flux-ecr-provider-aws", [image("aws"), local], [image(), image("generic")], /set spec.provider: aws/);
            const docker = subject("kubernetes:core/v1:Secret", { type: "kubernetes.io/dockerconfigjson", metadata: { name: "ecr" }, stringData: { ".dockerconfigjson": '{"auths":{"123456789012.dkr.ecr.ap-northeast-1.amazonaws.com":{}}}' } });
            check("flux-ecr-provider-aws", [image("aws")], [docker], /static registry credentials/);
        });
        it("flux-controller-hardening", () => {
            const kustomize = (args: string[]) => subject("kubernetes:apps/v1:Deployment", { metadata: { name: "kustomize-controller", labels: { "app.kubernetes.io/part-of": "flux" } }, spec: { template: { spec: { containers: [{ name: "manager", args }] } } } });
            check("flux-controller-hardening", [kustomize(["--no-remote-bases=true"]), controller], [kustomize([])], /--no-remote-bases=true/);
            check("flux-controller-hardening", [kustomize(["--no-remote-bases=true"])], [kustomize(["--no-remote-bases=true", "--insecure-kubeconfig-tls=true"])], /remove it/);
        });
        it("flux-objects-depend-on-install", () => {
            check("flux-objects-depend-on-install", [crd, controller, gitRepository()], [crd, controller, gitRepository({}, [crd.urn])], /does not depend on source-controller; pass the Flux install in dependsOn/);
            assert.deepEqual(findings("flux-objects-depend-on-install", [gitRepository({}, [])]), [], "Flux installed outside the stack is not judged");
        });
        it("event-receiver-own-registry", () => {
            const ecr = subject("aws:ecr/repository:Repository", { name: "mamezou-tech/task-service" });
            const imageRepository = (name: string, image: string) =>
                subject("kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository", { metadata: { name, namespace: "flux-system" }, spec: { image, provider: "aws" } });
            const own = imageRepository("task-service", "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/mamezou-tech/task-service");
            const foreign = imageRepository("other", "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/someone-else/app");
            const receiver = (type: string, resources: Array<Record<string, unknown>>) =>
                subject("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", { metadata: { name: "images", namespace: "flux-system" }, spec: { type, secretRef: { name: "t" }, resources } });
            const image = (name: string) => ({ apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImageRepository", name });
            const rule = (names: string[]) => subject("aws:cloudwatch/eventRule:EventRule", { eventPattern: JSON.stringify({ source: ["aws.ecr"], detail: { "repository-name": names } }) });
            const github = receiver("github", [{ kind: "GitRepository", name: "task-tool" }]);
            check("event-receiver-own-registry", [ecr, own, foreign, github, receiver("generic", [image("task-service")]), rule(["mamezou-tech/task-service"])],
                [ecr, own, foreign, receiver("generic", [image("other")])], /ImageRepository flux-system\/other of .*someone-else\/app, which is not one of the stack's ECR repositories \(mamezou-tech\/task-service\)/);
            check("event-receiver-own-registry", [ecr, own], [ecr, own, receiver("generic-oidc", [{ kind: "GitRepository", name: "task-tool" }]), receiver("harbor", [{ kind: "ImageRepository", name: "*", matchLabels: { a: "b" } }])],
                /may only rescan ImageRepositories named one by one/);
            check("event-receiver-own-registry", [ecr, own], [ecr, own, receiver("generic", [image("missing")])], /flux-system\/missing, which this stack does not define/);
            check("event-receiver-own-registry", [ecr], [ecr, rule(["mamezou-tech/task-service", "someone-else/app"])], /"someone-else\/app", outside the stack's ECR repositories/);
        });
        it("flux-waits-for-ready", () => {
            const sync = (annotations?: Record<string, string>, kind = "kustomize.toolkit.fluxcd.io/v1:Kustomization") =>
                subject(`kubernetes:${kind}`, { metadata: { name: "task-tool", namespace: "flux-system", annotations }, spec: {} });
            const ready = { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "300" };
            check("flux-waits-for-ready", [sync(ready), sync(ready, "source.toolkit.fluxcd.io/v1:GitRepository"), sync(undefined, "image.toolkit.fluxcd.io/v1:ImagePolicy")],
                [sync(), sync(undefined, "source.toolkit.fluxcd.io/v1:GitRepository"), sync({ ...ready, "pulumi.com/skipAwait": "true" }), sync({ "pulumi.com/waitFor": "condition=Reconciling" })],
                /does not wait for Ready; annotate it with pulumi.com\/waitFor: condition=Ready/);
        });
        it("flux-install-retained", () => {
            const fluxCrd = (retainOnDelete: boolean | undefined, protect?: boolean) =>
                subject("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", { metadata: { name: "gitrepositories.source.toolkit.fluxcd.io" }, spec: { group: "source.toolkit.fluxcd.io" } }, { retainOnDelete, protect });
            const namespace = (name: string, retainOnDelete: boolean) => subject("kubernetes:core/v1:Namespace", { metadata: { name } }, { retainOnDelete });
            const fluxController = subject("kubernetes:apps/v1:Deployment", { metadata: { name: "source-controller", namespace: "flux-system", labels: { "app.kubernetes.io/part-of": "flux" } } });
            const otherCrd = subject("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", { spec: { group: "example.com" } }, { retainOnDelete: false });
            check("flux-install-retained", [fluxController, fluxCrd(true), fluxCrd(false, true), fluxCrd(undefined), otherCrd, namespace("flux-system", true), namespace("prod", false)],
                [fluxController, fluxCrd(false), namespace("flux-system", false)], /(the Flux CRD|Flux's namespace) .* would be deleted on destroy, taking every object in it; set retainOnDelete: true/);
        });
        it("flux-sync-own-namespace", () => {
            const fluxController = subject("kubernetes:apps/v1:Deployment", { metadata: { name: "kustomize-controller", namespace: "flux", labels: { "app.kubernetes.io/part-of": "flux" } } });
            const sync = (targetNamespace?: string, kind = "kustomize.toolkit.fluxcd.io/v1:Kustomization") =>
                subject(`kubernetes:${kind}`, { metadata: { name: "apps", namespace: "flux-system" }, spec: { targetNamespace } });
            check("flux-sync-own-namespace", [fluxController, sync("prod"), sync(undefined), sync("prod", "helm.toolkit.fluxcd.io/v2:HelmRelease")],
                [fluxController, sync("kube-system"), sync("kube-node-lease", "helm.toolkit.fluxcd.io/v2:HelmRelease"), sync("flux-system"), sync("flux")],
                /applies into (Flux's own|the system) namespace .*; give the app a namespace of its own/);
        });
        it("automation-path-not-rewritten", () => {
            const automation = subject("kubernetes:image.toolkit.fluxcd.io/v1:ImageUpdateAutomation", { metadata: { name: "t" }, spec: { update: { path: "./app/overlays/prod", strategy: "Setters" } } });
            const file = (path: string, ignoreChanges: string[]) => subject("github:index/repositoryFile:RepositoryFile", { file: path, content: "x" }, { ignoreChanges });
            check("automation-path-not-rewritten", [automation, file("app/overlays/prod/kustomization.yaml", ["content"]), file("app/base/deployment.yaml", [])],
                [automation, file("app/overlays/prod/kustomization.yaml", [])], /ignoreChanges: \["content"\]/);
        });
    });

    describe("pack config", () => {
        it("disables a rule by name and reports names that are no rule", () => {
            const bad = subject("github:index/repository:Repository", { visibility: "public", vulnerabilityAlerts: true, archiveOnDestroy: true });
            assert.equal(runRules([bad], { "github-repository-private": "disabled" }).length, 0);
            assert.equal(runRules([bad], { "github-repository-private": { enforcementLevel: "advisory" } })[0].level, "advisory");
            assert.deepEqual(unknownRuleNames({ "github-repo-private": "disabled", "ecr-scan-on-push": "mandatory" }), ["github-repo-private"]);
        });
    });
});
