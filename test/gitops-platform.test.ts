import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import { parse } from "yaml";
import { GitOpsPlatform, type GitOpsPlatformArgs } from "../components/gitops-platform.js";
import { InputValidationError } from "../components/validate.js";
import { receiverWebhookPath } from "../components/flux/receiver-manifests.js";
import { MockCloud, settled, useMockCloud, valueOf } from "../testing/mock-cloud.js";
import { validationProblems } from "../testing/problems.js";

const seed: GitOpsPlatformArgs = {
    apps: [{ name: "task-service", semverRange: "1.1.x" }, { name: "task-reporter" }, { name: "task-web" }],
    cluster: { clusterName: "mz-k8s" },
    registry: { namePrefix: "mamezou-tech" },
    git: { owner: "octo-org", name: "task-tool-cluster-config" },
    sync: { path: "./app/overlays/prod", targetNamespace: "prod", interval: "5m", sourceInterval: "30s" },
    imageAutomation: { scanInterval: "1m" },
};

async function build(args: GitOpsPlatformArgs = seed) {
    const cloud = await useMockCloud(new MockCloud({ githubOwner: "octo-org" }));
    const platform = new GitOpsPlatform("mz-k8s", args);
    await valueOf(platform.checkCommands);
    await valueOf(platform.repositorySshUrl);
    await settled(cloud);
    return { cloud, platform };
}

describe("GitOpsPlatform", () => {
    it("wires the ECR role into image-reflector-controller and the ECR URLs into the overlay", async () => {
        const { cloud, platform } = await build();
        const role = cloud.get("aws:iam/role:Role", "mz-k8s-flux-ecr-role");
        const account = cloud.get("kubernetes:core/v1:ServiceAccount", "mz-k8s-flux-serviceaccount-flux-system-image-reflector-controller");
        assert.equal(account.inputs.metadata.annotations["eks.amazonaws.com/role-arn"], "arn:aws:iam::123456789012:role/mz-k8s-flux-ecr-role");
        const trust = JSON.parse(role.inputs.assumeRolePolicy);
        assert.match(Object.keys(trust.Statement[0].Condition.StringEquals)[0], /^oidc\.eks\.ap-northeast-1\.amazonaws\.com\/id\/.+:sub$/);
        const readPolicy = cloud.get("aws:iam/rolePolicy:RolePolicy", "mz-k8s-flux-ecr-ecr-read");
        const read = JSON.parse(readPolicy.inputs.policy);
        assert.equal(read.Statement[1].Resource.length, 3);
        assert.ok(account.dependencies.includes(readPolicy.urn), "the controller starts with its ECR permissions in place");
        const overlay = parse(cloud.get("github:index/repositoryFile:RepositoryFile", "mz-k8s-config-app/overlays/prod/kustomization.yaml").inputs.content);
        assert.deepEqual(overlay.images[0], { name: "task-service", newName: "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/mamezou-tech/task-service", newTag: "1.0.0" });
        const urls = await valueOf(platform.imageRepositories);
        assert.equal(urls["task-web"], "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/mamezou-tech/task-web");
    });

    it("orders Flux objects after the install and the committed files, and makes the deploy key writable for automation", async () => {
        const { cloud } = await build();
        const repository = cloud.get("kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", "mz-k8s-source-repository");
        const crd = cloud.get("kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition", "mz-k8s-flux-customresourcedefinition-gitrepositories.source.toolkit.fluxcd.io");
        const sourceController = cloud.get("kubernetes:apps/v1:Deployment", "mz-k8s-flux-deployment-flux-system-source-controller");
        const overlayFile = cloud.get("github:index/repositoryFile:RepositoryFile", "mz-k8s-config-app/overlays/prod/kustomization.yaml");
        for (const dependency of [crd, sourceController, overlayFile]) {
            assert.ok(repository.dependencies.includes(dependency.urn), `GitRepository depends on ${dependency.name}`);
        }
        const automation = cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImageUpdateAutomation", "mz-k8s-images-update");
        assert.ok(automation.dependencies.includes(cloud.get("kubernetes:apps/v1:Deployment", "mz-k8s-flux-deployment-flux-system-image-automation-controller").urn));
        assert.deepEqual(overlayFile.options.ignoreChanges, ["content", "repository"]);
        assert.equal(cloud.get("github:index/repositoryDeployKey:RepositoryDeployKey", "mz-k8s-config-deploy-key").inputs.readOnly, false);
        const sync = cloud.get("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "mz-k8s-sync-kustomization");
        assert.deepEqual([sync.inputs.spec.interval, sync.inputs.spec.targetNamespace, sync.inputs.spec.path], ["5m", "prod", "./app/overlays/prod"]);
        assert.equal(repository.inputs.spec.interval, "30s");
        assert.equal(cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository", "mz-k8s-images-task-service-repository").inputs.spec.interval, "1m");
        // Every Kubernetes object goes through the cluster's provider.
        const provider = cloud.get("pulumi:providers:kubernetes", "mz-k8s-cluster-k8s");
        const objects = cloud.resources.filter((r) => r.type.startsWith("kubernetes:") && r.custom);
        assert.ok(objects.every((r) => r.provider?.startsWith(provider.urn)), "all on the new cluster");
    });

    it("runs on an existing cluster and any SSH Git server, creating neither EKS nor GitHub resources", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const provider = new k8s.Provider("existing", { kubeconfig: "{}" });
        const platform = new GitOpsPlatform("lab", {
            apps: [{ name: "task-service", semverRange: "1.1.x", image: "127.0.0.1:5000/mamezou-tech/task-service" }],
            cluster: { existing: { provider } },
            git: { server: { sshUrl: "ssh://git@127.0.0.1:2222/srv/git/config.git", privateKey: "k", publicKey: "p", knownHosts: "[127.0.0.1]:2222 ssh-ed25519 AAAA\n" } },
            sync: { path: "./app/overlays/prod", targetNamespace: "prod" },
        });
        assert.equal(await valueOf(platform.repositorySshUrl), "ssh://git@127.0.0.1:2222/srv/git/config.git");
        await settled(cloud);
        const types = new Set(cloud.resources.map((r) => r.type));
        for (const absent of ["eks:index:Cluster", "aws:ecr/repository:Repository", "github:index/repository:Repository", "aws:iam/role:Role"]) {
            assert.ok(!types.has(absent), absent);
        }
        assert.equal(cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository", "lab-images-task-service-repository").inputs.spec.provider, "generic");
    });

    it("pins the automated images by digest in the ImagePolicy and the seed overlay when asked", async () => {
        const { cloud } = await build({ ...seed, imageAutomation: { scanInterval: "1m", digestPinning: true } });
        const policy = cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy", "mz-k8s-images-task-service-policy");
        assert.equal(policy.inputs.spec.digestReflectionPolicy, "IfNotPresent");
        const text = cloud.get("github:index/repositoryFile:RepositoryFile", "mz-k8s-config-app/overlays/prod/kustomization.yaml").inputs.content;
        assert.match(text, /\n {4}digest: "" # \{"\$imagepolicy": "flux-system:task-service:digest"\}\n/);
        assert.deepEqual(parse(text).images.map((image: { digest?: string }) => image.digest), ["", undefined, undefined], "only the automated app is pinned");
    });

    it("grants read on existing ECR repositories when every automated image is one, never an empty Resource", async () => {
        const image = "210987654321.dkr.ecr.ap-northeast-1.amazonaws.com/shared/task-service";
        const { cloud } = await build({ ...seed, apps: [{ name: "task-service", semverRange: "1.1.x", image }] });
        assert.equal(cloud.ofType("aws:ecr/repository:Repository").length, 0);
        const read = JSON.parse(cloud.get("aws:iam/rolePolicy:RolePolicy", "mz-k8s-flux-ecr-ecr-read").inputs.policy);
        assert.deepEqual(read.Statement[1].Resource, ["arn:aws:ecr:ap-northeast-1:210987654321:repository/shared/task-service"]);
    });

    it("starts image-reflector-controller only after its Pod Identity association exists", async () => {
        const { cloud } = await build({ ...seed, imageAutomation: { ...seed.imageAutomation, ecrAccess: "pod-identity" } });
        const association = cloud.get("aws:eks/podIdentityAssociation:PodIdentityAssociation", "mz-k8s-flux-ecr-association");
        const account = cloud.get("kubernetes:core/v1:ServiceAccount", "mz-k8s-flux-serviceaccount-flux-system-image-reflector-controller");
        const controller = cloud.get("kubernetes:apps/v1:Deployment", "mz-k8s-flux-deployment-flux-system-image-reflector-controller");
        assert.ok(account.dependencies.includes(association.urn), "the service account waits for the association");
        assert.ok(controller.dependencies.includes(account.urn), "the controller waits for its service account");
        assert.deepEqual(account.inputs.metadata.annotations?.["eks.amazonaws.com/role-arn"], undefined);
    });

    it("creates a github provider for git.owner when given none, and uses it for the repository and the webhook", async () => {
        const { cloud } = await build({ ...seed, receiver: { kind: "external", baseUrl: "https://flux-hooks.example.com" } });
        const provider = cloud.get("pulumi:providers:github", "mz-k8s-github");
        assert.equal(provider.inputs.owner, "octo-org");
        const webhook = cloud.get("github:index/repositoryWebhook:RepositoryWebhook", "mz-k8s-receiver-webhook");
        const repository = cloud.get("github:index/repository:Repository", "mz-k8s-config-repository");
        for (const resource of [webhook, repository, ...cloud.ofType("github:index/repositoryFile:RepositoryFile")]) {
            assert.ok(resource.provider?.startsWith(`${provider.urn}::`), `${resource.name} uses ${resource.provider}`);
        }
        const receiver = cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "mz-k8s-receiver-receiver");
        assert.ok(receiver.provider?.startsWith(cloud.get("pulumi:providers:kubernetes", "mz-k8s-cluster-k8s").urn), "Kubernetes objects stay on the cluster");
    });

    it("refuses duplicate apps and bad ranges before creating anything", async () => {
        const cloud = await useMockCloud(new MockCloud());
        assert.throws(
            () => new GitOpsPlatform("x", { ...seed, apps: [{ name: "a1", semverRange: "1.1.x.y" }, { name: "a1" }] }),
            (e: unknown) => e instanceof InputValidationError && /apps\[0\].semverRange = "1.1.x.y"/.test(e.message) && /apps\[1\].name = "a1": must be unique/.test(e.message),
        );
        await settled(cloud);
        assert.equal(cloud.resources.length, 0);
    });

    it("sends ECR pushes of the automated apps through EventBridge to a Receiver behind the GitHub receiver's Ingress", async () => {
        const { cloud, platform } = await build({
            ...seed,
            receiver: { kind: "ingress", host: "flux-webhook.example.com", ingressClassName: "alb" },
            imagePushEvents: { eventBridge: { invocationRateLimitPerSecond: 2 } },
        });
        const receiver = cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "mz-k8s-image-receiver-receiver");
        assert.deepEqual(receiver.inputs.metadata, {
            name: "task-tool-images",
            namespace: "flux-system",
            // The sync's readyTimeout (5m by default): pulumi up returns once the path is served.
            annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "300" },
        });
        assert.deepEqual(receiver.inputs.spec.resources, [{ apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImageRepository", name: "task-service" }]);
        const imageRepository = cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository", "mz-k8s-images-task-service-repository");
        assert.ok(receiver.dependencies.includes(imageRepository.urn), "the Receiver comes after the ImageRepositories it names");
        // One Ingress: the GitHub receiver's already routes /hook/ to the webhook-receiver Service.
        assert.equal(cloud.ofType("kubernetes:networking.k8s.io/v1:Ingress").length, 1);
        const token = cloud.get("kubernetes:core/v1:Secret", "mz-k8s-image-receiver-token").inputs.stringData.token;
        const url = `https://flux-webhook.example.com${receiverWebhookPath(token, "task-tool-images", "flux-system")}`;
        assert.equal(await valueOf(platform.imagePushWebhookUrl!), url);
        const rule = JSON.parse(cloud.get("aws:cloudwatch/eventRule:EventRule", "mz-k8s-image-push-events-rule").inputs.eventPattern);
        assert.deepEqual(rule.detail["repository-name"], ["mamezou-tech/task-service"]);
        const destination = cloud.get("aws:cloudwatch/eventApiDestination:EventApiDestination", "mz-k8s-image-push-events-destination").inputs;
        assert.equal(destination.invocationEndpoint, url);
        assert.equal(destination.invocationRateLimitPerSecond, 2);
        assert.equal(cloud.get("aws:cloudwatch/eventConnection:EventConnection", "mz-k8s-image-push-events-connection").inputs.authParameters.apiKey.value, token);
        const target = cloud.get("aws:cloudwatch/eventTarget:EventTarget", "mz-k8s-image-push-events-target");
        assert.ok(target.dependencies.includes(receiver.urn), "events flow only once the Receiver is Ready (serves its path)");
    });

    it("gives an existing cluster without ECR only the Receiver, with an existing token and no random provider", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const provider = new k8s.Provider("existing", { kubeconfig: "{}" });
        const token = "lab-image-token-0123456789abcdef0123";
        const platform = new GitOpsPlatform("lab", {
            apps: [{ name: "task-service", semverRange: "1.1.x", image: "127.0.0.1:5000/mamezou-tech/task-service" }],
            cluster: { existing: { provider } },
            git: { server: { sshUrl: "ssh://git@127.0.0.1:2222/srv/git/config.git", privateKey: "k", publicKey: "p", knownHosts: "[127.0.0.1]:2222 ssh-ed25519 AAAA\n" } },
            sync: { path: "./app/overlays/prod", targetNamespace: "prod" },
            imagePushEvents: { token },
        });
        assert.equal(await valueOf(platform.imagePushWebhookUrl!), `http://webhook-receiver.flux-system.svc.cluster.local${receiverWebhookPath(token, "task-tool-images", "flux-system")}`);
        await settled(cloud);
        assert.equal(cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "lab-image-receiver-receiver").inputs.spec.type, "generic");
        for (const absent of ["aws:cloudwatch/eventRule:EventRule", "random:index/randomPassword:RandomPassword", "kubernetes:networking.k8s.io/v1:Ingress"]) {
            assert.equal(cloud.ofType(absent).length, 0, absent);
        }
    });

    it("sends no EventBridge events for images it does not create, and reuses no GitHub receiver a Git server does not get", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const provider = new k8s.Provider("existing", { kubeconfig: "{}" });
        assert.deepEqual(
            validationProblems(() => new GitOpsPlatform("lab", {
                apps: [{ name: "task-service", semverRange: "1.1.x", image: "127.0.0.1:5000/mamezou-tech/task-service" }],
                cluster: { existing: { provider } },
                git: { server: { sshUrl: "ssh://git@127.0.0.1:2222/srv/git/config.git", privateKey: "k", publicKey: "p", knownHosts: "[127.0.0.1]:2222 ssh-ed25519 AAAA\n" } },
                sync: { path: "./app/overlays/prod" },
                receiver: { kind: "ingress", host: "flux-webhook.example.com" },
                imagePushEvents: { eventBridge: true },
            })),
            [
                "imagePushEvents.eventBridge = true: needs an app with a semverRange whose ECR repository this platform creates (no image); set it to false",
                'imagePushEvents.exposure = {"kind":"cluster"}: must give an https:// URL for EventBridge (an Ingress terminating TLS, or external https); or set imagePushEvents.eventBridge to false',
            ],
        );
        await settled(cloud);
        assert.deepEqual(cloud.resources.map((r) => r.type), ["pulumi:providers:kubernetes"]);
    });

    it("refuses rotation counters that are not whole numbers from 0 up, naming the platform's fields", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const git = (seed as { git: Record<string, unknown> }).git;
        assert.deepEqual(validationProblems(() => new GitOpsPlatform("x", { ...seed, git: { ...git, keyRotation: 0.5 } as never, receiverTokenRotation: -1 })), [
            "receiverTokenRotation = -1: must be a whole number from 0 up; raise it by one to rotate",
            "git.keyRotation = 0.5: must be a whole number from 0 up; raise it by one to rotate",
        ]);
        await settled(cloud);
        assert.equal(cloud.resources.length, 0);
    });

    it("refuses image push events EventBridge or Flux could not serve, before creating anything", async () => {
        const cloud = await useMockCloud(new MockCloud());
        assert.deepEqual(validationProblems(() => new GitOpsPlatform("x", { ...seed, imagePushEvents: { type: "generic-oidc", eventBridge: { invocationRateLimitPerSecond: 500 } } })), [
            'imagePushEvents.githubActions = null: is required with type "generic-oidc": it names the workflows the Receiver admits',
            'imagePushEvents.exposure = {"kind":"cluster"}: must give an https:// URL for EventBridge (an Ingress terminating TLS, or external https); or set imagePushEvents.eventBridge to false',
            'imagePushEvents.eventBridge = {"invocationRateLimitPerSecond":500}: cannot call a "generic-oidc" Receiver: EventBridge has no GitHub Actions token; set it to false',
            "imagePushEvents.eventBridge.invocationRateLimitPerSecond = 500: must be a whole number from 1 to 300 (EventBridge's default and usual quota per API destination is 300)",
        ]);
        assert.deepEqual(validationProblems(() => new GitOpsPlatform("x", { ...seed, apps: [{ name: "task-web" }], imagePushEvents: { eventBridge: false } })), [
            'apps = ["task-web"]: must include an app with a semverRange when imagePushEvents is on: the Receiver rescans those apps\' ImageRepositories',
        ]);
        await settled(cloud);
        assert.equal(cloud.resources.length, 0);
    });

    it("refuses a sync into Flux's namespace, onto the seed's base or with Service names too long, naming the Args fields", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const long = "a".repeat(59);
        assert.deepEqual(
            validationProblems(
                () => new GitOpsPlatform("x", { ...seed, apps: [...seed.apps, { name: long }], sync: { ...seed.sync, targetNamespace: "flux-system", path: "./app/base" } }),
            ),
            [
                `sync.targetNamespace = "flux-system": is Flux's own namespace (flux-system), which the Flux install owns; give the app a namespace of its own`,
                `sync.path = "./app/base": is the seed's base folder ./app/base or inside it; the overlay would overwrite the base's kustomization.yaml. Use a folder of its own such as ./app/overlays/prod`,
                `apps[3].name = "${long}": gives the overlay's Service name "prod-${long}", which must be an RFC 1035 label: at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
            ],
        );
        await settled(cloud);
        assert.equal(cloud.resources.length, 0);
    });

    it("passes the sync's deletion policy to the Kustomization", async () => {
        const { cloud } = await build({ ...seed, sync: { ...seed.sync, deletionPolicy: "Delete" } });
        assert.equal(cloud.get("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "mz-k8s-sync-kustomization").inputs.spec.deletionPolicy, "Delete");
    });

    it("protects the cluster, registries and repository unless protectData or a part's own protect says otherwise", async () => {
        const protectedNames = (cloud: MockCloud) => cloud.resources.filter((r) => r.options.protect).map((r) => r.name).sort();
        const { cloud } = await build();
        assert.deepEqual(protectedNames(cloud), [
            "mz-k8s-cluster-eks",
            "mz-k8s-cluster-secrets",
            "mz-k8s-config-repository",
            "mz-k8s-registry-images",
            "mz-k8s-registry-task-reporter",
            "mz-k8s-registry-task-service",
            "mz-k8s-registry-task-web",
        ]);
        const { cloud: open } = await build({ ...seed, protectData: false, registry: { ...seed.registry, protect: true } });
        assert.deepEqual(protectedNames(open), ["mz-k8s-registry-images", "mz-k8s-registry-task-reporter", "mz-k8s-registry-task-service", "mz-k8s-registry-task-web"]);
    });

    it("names the missing Args of a JavaScript caller instead of failing with a TypeError", async () => {
        const cloud = await useMockCloud(new MockCloud());
        assert.deepEqual(validationProblems(() => new GitOpsPlatform("", {} as never)), [
            'name = "": must be a non-empty logical name; every child\'s name starts with it',
            'apps = null: is required: a list of apps, such as [{ name: "task-service" }]',
            "git = null: is required: { owner, name } of a GitHub repository, or { server } of any SSH Git server",
            "sync = null: is required: at least {} (every field has a default)",
        ]);
        assert.deepEqual(validationProblems(() => new GitOpsPlatform("p", { ...seed, apps: [null, { name: 1 }] as never })), ["apps[0] = null: must be an object with a name", 'apps[1] = {"name":1}: must be an object with a name']);
        await settled(cloud);
        assert.equal(cloud.resources.length, 0);
    });
});
