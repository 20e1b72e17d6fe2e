import * as github from "@pulumi/github";
import type * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { ContainerRegistry, type ContainerRegistryArgs } from "./aws/container-registry.js";
import { EksCluster, type EksClusterArgs } from "./aws/eks-cluster.js";
import { checkEcrPushEventsSettings, type EcrPushEventsSettings } from "./aws/ecr-push-event-rules.js";
import { EcrPushEvents } from "./aws/ecr-push-events.js";
import { EksVpc, type EksVpcArgs } from "./aws/eks-vpc.js";
import { FluxEcrAccess } from "./aws/flux-ecr-access.js";
import { ecrRepositoryArn } from "./aws/flux-ecr-iam-policies.js";
import { AppSync } from "./flux/app-sync.js";
import { GitHubReceiver } from "./flux/github-receiver.js";
import { checkImagePushReceiverArgs, ImagePushReceiver, type ImagePushReceiverArgs } from "./flux/image-push-receiver.js";
import { receiverBaseUrl, type ReceiverExposure } from "./flux/receiver-exposure.js";
import { checkSeedServiceName, checkSyncPathApartFromBase, checkSyncTargetNamespace } from "./flux/sync-placement.js";
import type { KustomizationDeletionPolicy } from "./flux/sync-manifests.js";
import { GitSource } from "./flux/git-source.js";
import { ImageAutomation } from "./flux/image-automation.js";
import { isEcrImage, imagePolicyName } from "./flux/image-manifests.js";
import { FluxInstall, type FluxInstallArgs } from "./flux/install.js";
import { ConfigRepository, type ConfigRepositoryArgs } from "./github/config-repository.js";
import { seedAppFiles } from "./github/seed-app-files.js";
import { assertValid, checkKubernetesLabelName, checkRotation, checkSemverRange, checkUnique, type Problem } from "./validate.js";

export interface PlatformApp {
    /** App name: its ECR repository, Deployment and ImagePolicy are named after it. */
    name: string;
    /** Tag the seed overlay deploys first. @default "1.0.0" */
    initialTag?: string;
    /** Semver range Flux follows for this app; without one the tag only changes through Git. @default none */
    semverRange?: string;
    /** An existing image repository (e.g. another account's ECR URL); no ECR repository is created then. @default one created here */
    image?: string;
}

export interface ExistingCluster {
    /** Provider of the existing cluster. */
    provider: k8s.Provider;
    /** For IRSA on the image controller: the cluster's OIDC provider ARN and issuer (without https://). @default none: no ECR role is made */
    oidcProviderArn?: pulumi.Input<string>;
    oidcProviderUrl?: pulumi.Input<string>;
}

export interface ExistingGitRepository {
    /** `ssh://git@host[:port]/path` of any SSH Git server. */
    sshUrl: pulumi.Input<string>;
    privateKey: pulumi.Input<string>;
    publicKey: pulumi.Input<string>;
    knownHosts: pulumi.Input<string>;
}

export interface GitOpsPlatformArgs {
    /** The apps Flux deploys. */
    apps: PlatformApp[];
    /** A new EKS cluster (the default) or an existing cluster's provider. */
    cluster?: { existing: ExistingCluster } | (Omit<EksClusterArgs, "vpcId" | "privateSubnetIds" | "publicSubnetIds"> & {
        /** Existing network; a new EksVpc is made without it. @default a new VPC */
        network?: { vpcId: pulumi.Input<string>; privateSubnetIds: pulumi.Input<pulumi.Input<string>[]>; publicSubnetIds?: pulumi.Input<pulumi.Input<string>[]> };
        /** Settings of the new VPC. @default EksVpc's defaults */
        vpc?: Omit<EksVpcArgs, "clusterName">;
    });
    /** ECR settings for the apps without an `image`. @default ContainerRegistry's defaults */
    registry?: Omit<ContainerRegistryArgs, "apps">;
    /** The config repository: on GitHub (created or existing), or any SSH Git server. */
    git:
        | (Omit<ConfigRepositoryArgs, "files" | "gitOwnedPaths" | "allowPush"> & {
              /** Commit the seed app's base and overlay. @default true */
              seedAppFiles?: boolean;
              /**
               * The github provider for the repository, deploy key, files and webhook; it must act for
               * `owner`. @default one created here with `owner` (its token from GITHUB_TOKEN)
               */
              provider?: github.Provider;
          })
        | { server: ExistingGitRepository; branch?: string };
    /** Flux install settings; `existing: true` when Flux is already installed. @default a new install */
    flux?: Omit<FluxInstallArgs, "imageAutomation" | "imageReflectorServiceAccountAnnotations"> & { existing?: boolean };
    /** The Kustomization. */
    sync: {
        /** Name of the GitRepository and Kustomization. @default "task-tool" */
        name?: string;
        /** Folder Flux applies (and image automation updates). @default "./app/overlays/prod" */
        path?: string;
        targetNamespace?: string;
        /** Re-apply interval. @default "10m" */
        interval?: string;
        /** Git fetch interval. @default "1m" */
        sourceInterval?: string;
        /** How long `pulumi up` waits for Flux's objects (source, sync, Receivers) to be Ready. @default "5m" */
        readyTimeout?: string;
        /** What Flux does with the app when the sync is destroyed; see AppSyncArgs.deletionPolicy. @default "Orphan": the app keeps running */
        deletionPolicy?: KustomizationDeletionPolicy;
    };
    /** Image update automation; on when any app has a semverRange. */
    imageAutomation?: {
        /** Tag scan interval. @default "5m" */
        scanInterval?: string;
        /** Automation run interval. @default "1m" */
        interval?: string;
        author?: { name: string; email: string };
        messageTemplate?: string;
        /** How the image controller gets its ECR role. @default "irsa" */
        ecrAccess?: "irsa" | "pod-identity";
        /** The apps' registry speaks plain HTTP (local test registries only). @default false */
        insecureRegistry?: boolean;
        /** Pin the automated images by digest too (ImageAutomation.digestPinning, and `digest` markers in the seed overlay). @default false */
        digestPinning?: boolean;
    };
    /** Instant sync through a GitHub webhook. @default off */
    receiver?: ReceiverExposure;
    /**
     * Instant image scans: an ImagePushReceiver that rescans the ImageRepositories of the apps with a
     * semverRange when a push is reported, their scanInterval staying the safety net. @default off
     */
    imagePushEvents?: ImagePushEventsOptions;
    /**
     * Raise by one to rotate the generated Receiver tokens (the GitHub receiver's and the image push
     * receiver's): new tokens and Secrets beside the old ones, each Receiver switched together with its
     * caller (GitHub webhook, EventBridge connection), the old Secrets deleted last. @default 0
     */
    receiverTokenRotation?: number;
    /** Tags on AWS resources. @default none */
    tags?: Record<string, string>;
    /**
     * Protect what holds data (the EKS cluster and its Secrets key, the ECR repositories and their
     * key, the config repository): a change that would replace or delete one fails at preview
     * instead. Each part's own `protect` overrides it. Turn it off for one update to really replace
     * them. @default true
     */
    protectData?: boolean;
}

const isObject = (value: unknown): value is object => typeof value === "object" && value !== null && !Array.isArray(value);

/** The Args' required parts, checked first so a JavaScript caller gets the field and the rule, not a TypeError. */
export function checkPlatformShape(name: string, args: GitOpsPlatformArgs): Problem[] {
    const problems: Problem[] = [];
    if (typeof name !== "string" || name.trim() === "") {
        problems.push({ field: "name", value: name, rule: "must be a non-empty logical name; every child's name starts with it" });
    }
    if (!isObject(args)) {
        return [...problems, { field: "args", value: args, rule: "must be an object with apps, git and sync" }];
    }
    if (!Array.isArray(args.apps)) {
        problems.push({ field: "apps", value: args.apps ?? null, rule: "is required: a list of apps, such as [{ name: \"task-service\" }]" });
    } else {
        args.apps.forEach((app, i) => {
            if (!isObject(app) || typeof app.name !== "string") {
                problems.push({ field: `apps[${i}]`, value: app ?? null, rule: "must be an object with a name" });
            }
        });
    }
    if (!isObject(args.git)) {
        problems.push({ field: "git", value: args.git ?? null, rule: "is required: { owner, name } of a GitHub repository, or { server } of any SSH Git server" });
    }
    if (!isObject(args.sync)) {
        problems.push({ field: "sync", value: args.sync ?? null, rule: "is required: at least {} (every field has a default)" });
    }
    return problems;
}

/** The sync's placement: its own namespace, a path apart from the seed's base, Service names the seed can make. */
export function checkPlatformSync(args: Pick<GitOpsPlatformArgs, "apps" | "git" | "flux" | "sync">): Problem[] {
    const seeded = !("server" in args.git) && args.git.seedAppFiles !== false;
    const fluxNamespace = args.flux?.namespace ?? "flux-system";
    return [
        args.sync.targetNamespace !== undefined ? checkSyncTargetNamespace("sync.targetNamespace", args.sync.targetNamespace, fluxNamespace) : undefined,
        ...(seeded
            ? [
                  checkSyncPathApartFromBase("sync.path", args.sync.path ?? "./app/overlays/prod"),
                  ...args.apps.map((app, i) => (checkKubernetesLabelName(`apps[${i}].name`, app.name) ? undefined : checkSeedServiceName(`apps[${i}].name`, app.name))),
              ]
            : []),
    ].filter((p): p is Problem => p !== undefined);
}

export interface ImagePushEventsOptions extends Pick<ImagePushReceiverArgs, "type" | "githubActions" | "token"> {
    /**
     * How the registry or CI reaches the Receiver.
     * @default the GitHub receiver's host when `receiver` is set (no second Ingress), else { kind: "cluster" }
     */
    exposure?: ReceiverExposure;
    /**
     * Send ECR's push events of the repositories created here through EventBridge (EcrPushEvents);
     * needs an https exposure (an Ingress, or `external` https). `false` when something else calls
     * the Receiver (a registry's notifications, a CI job). @default true when an app with a semverRange has its ECR repository created here
     */
    eventBridge?: boolean | EcrPushEventsSettings;
}

/** The exposure an image push Receiver gets: its own, else the GitHub receiver's (whose Ingress already routes /hook/), else none. */
export function imagePushExposure(options: ImagePushEventsOptions, githubReceiver: ReceiverExposure | undefined, namespace: string): ReceiverExposure {
    if (options.exposure) {
        return options.exposure;
    }
    if (githubReceiver) {
        return { kind: "external", baseUrl: receiverBaseUrl(githubReceiver, namespace) };
    }
    return { kind: "cluster" };
}

/** The automated apps whose ECR repositories the platform creates: the ones EventBridge can report pushes of. */
export function ecrPushedApps(apps: readonly PlatformApp[]): PlatformApp[] {
    return apps.filter((app) => app.semverRange !== undefined && app.image === undefined);
}

/**
 * Problems of the image push options, fields named from the platform's Args. `receiver` is the GitHub
 * receiver's exposure when the platform makes one.
 */
export function checkImagePushEvents(options: ImagePushEventsOptions, context: { apps: readonly PlatformApp[]; receiver?: ReceiverExposure; namespace: string; receiverName: string }): Problem[] {
    const automated = context.apps.filter((app) => app.semverRange !== undefined).map((app) => app.name);
    const exposure = imagePushExposure(options, context.receiver, context.namespace);
    const pushed = ecrPushedApps(context.apps);
    const eventBridge = options.eventBridge ?? pushed.length > 0;
    const problems: Problem[] = [
        ...(automated.length === 0
            ? [{ field: "apps", value: context.apps.map((app) => app.name), rule: "must include an app with a semverRange when imagePushEvents is on: the Receiver rescans those apps' ImageRepositories" }]
            : []),
        // The ImageRepositories are the apps', whose names checkPlatformApps checks.
        ...checkImagePushReceiverArgs(context.receiverName, { ...options, exposure, namespace: context.namespace, imageRepositories: automated })
            .filter((p) => !p.field.startsWith("imageRepositories"))
            .map((p) => ({ ...p, field: `imagePushEvents.${p.field}` })),
    ];
    if (eventBridge !== false) {
        if (automated.length > 0 && pushed.length === 0) {
            problems.push({ field: "imagePushEvents.eventBridge", value: eventBridge, rule: "needs an app with a semverRange whose ECR repository this platform creates (no image); set it to false" });
        }
        if (!/^https:\/\//.test(receiverBaseUrl(exposure, context.namespace))) {
            problems.push({
                field: "imagePushEvents.exposure",
                value: exposure,
                rule: "must give an https:// URL for EventBridge (an Ingress terminating TLS, or external https); or set imagePushEvents.eventBridge to false",
            });
        }
        if (options.type === "generic-oidc") {
            problems.push({ field: "imagePushEvents.eventBridge", value: eventBridge, rule: 'cannot call a "generic-oidc" Receiver: EventBridge has no GitHub Actions token; set it to false' });
        }
        if (typeof eventBridge === "object") {
            problems.push(...checkEcrPushEventsSettings(eventBridge).map((p) => ({ ...p, field: `imagePushEvents.eventBridge.${p.field}` })));
        }
    }
    return problems;
}

export function checkPlatformApps(apps: readonly PlatformApp[]): Problem[] {
    return [
        ...(apps.length === 0 ? [{ field: "apps", value: [], rule: "must list at least one app" }] : []),
        ...checkUnique("apps", apps.map((a) => a.name)).map((p) => ({ ...p, field: `${p.field}.name` })),
        ...apps.flatMap((app, i) =>
            [checkKubernetesLabelName(`apps[${i}].name`, app.name), app.semverRange !== undefined ? checkSemverRange(`apps[${i}].semverRange`, app.semverRange) : undefined].filter(
                (p): p is Problem => p !== undefined,
            ),
        ),
    ];
}

/**
 * The whole GitOps platform of the tutorial in one component: EKS (or an existing cluster), ECR, the
 * config repository with its deploy key and seed content, Flux, the sync and image automation, and
 * optionally instant sync. Every part can be replaced by an existing one.
 */
export class GitOpsPlatform extends pulumi.ComponentResource {
    /** Kubeconfig of a created cluster (secret); undefined for an existing cluster. */
    public readonly kubeconfig?: pulumi.Output<string>;
    public readonly provider: k8s.Provider;
    /** App name → image repository. */
    public readonly imageRepositories: pulumi.Output<Record<string, string>>;
    public readonly repositorySshUrl: pulumi.Output<string>;
    public readonly repositoryHttpsUrl?: pulumi.Output<string>;
    public readonly deployKeyFingerprint?: pulumi.Output<string>;
    public readonly fluxNamespace: pulumi.Output<string>;
    /** The GitRepository (in fluxNamespace) other stacks' AppSync and ImageAutomation refer to. */
    public readonly gitRepositoryName: pulumi.Output<string>;
    /** The branch that GitRepository follows, where other stacks' image automations push. */
    public readonly gitBranch: pulumi.Output<string>;
    /** The URL that triggers an image rescan (a secret for token-based Receivers); undefined without imagePushEvents. */
    public readonly imagePushWebhookUrl?: pulumi.Output<string>;
    /** Commands that show Flux's view of the sync. */
    public readonly checkCommands: pulumi.Output<string[]>;

    constructor(name: string, args: GitOpsPlatformArgs, opts?: pulumi.ComponentResourceOptions) {
        assertValid(`GitOpsPlatform ${name}`, [checkPlatformShape(name, args)]);
        const fluxNamespace = args.flux?.namespace ?? "flux-system";
        const syncName = args.sync.name ?? "task-tool";
        const imageReceiverName = `${syncName}-images`;
        // Only a config repository on GitHub gets the GitHub receiver.
        const githubReceiver = "server" in args.git ? undefined : args.receiver;
        assertValid(`GitOpsPlatform ${name}`, [
            checkPlatformApps(args.apps),
            checkPlatformSync(args),
            args.imagePushEvents ? checkImagePushEvents(args.imagePushEvents, { apps: args.apps, receiver: githubReceiver, namespace: fluxNamespace, receiverName: imageReceiverName }) : undefined,
            checkRotation("receiverTokenRotation", args.receiverTokenRotation),
            "server" in args.git ? undefined : checkRotation("git.keyRotation", args.git.keyRotation),
        ]);
        super("eks-flux-gitops:index:GitOpsPlatform", name, {}, opts);
        const syncPath = args.sync.path ?? "./app/overlays/prod";
        const automated = args.apps.filter((app) => app.semverRange !== undefined);
        const automation = automated.length > 0;
        const tags = args.tags;
        const protectData = args.protectData ?? true;

        let provider: k8s.Provider;
        let oidc: { arn?: pulumi.Input<string>; url?: pulumi.Input<string> } = {};
        let clusterName: pulumi.Input<string> | undefined;
        if (args.cluster && "existing" in args.cluster) {
            provider = args.cluster.existing.provider;
            oidc = { arn: args.cluster.existing.oidcProviderArn, url: args.cluster.existing.oidcProviderUrl };
        } else {
            const { network, vpc: vpcArgs, ...clusterArgs } = args.cluster ?? {};
            const resolvedClusterName = clusterArgs.clusterName ?? name;
            const vpc = network ?? new EksVpc(`${name}-vpc`, { ...vpcArgs, clusterName: resolvedClusterName, tags }, { parent: this });
            const cluster = new EksCluster(
                `${name}-cluster`,
                {
                    ...clusterArgs,
                    clusterName: resolvedClusterName,
                    vpcId: vpc.vpcId,
                    privateSubnetIds: vpc.privateSubnetIds,
                    publicSubnetIds: vpc.publicSubnetIds,
                    tags,
                    protect: clusterArgs.protect ?? protectData,
                },
                { parent: this },
            );
            provider = cluster.provider;
            oidc = { arn: cluster.oidcProviderArn, url: cluster.oidcProviderUrl };
            clusterName = cluster.clusterName;
            this.kubeconfig = cluster.kubeconfig;
        }

        const needRegistry = args.apps.filter((app) => app.image === undefined);
        const registry =
            needRegistry.length > 0
                ? new ContainerRegistry(
                      `${name}-registry`,
                      {
                          ...args.registry,
                          tags: args.registry?.tags ?? tags,
                          protect: args.registry?.protect ?? protectData,
                          apps: needRegistry.map(({ name: app, semverRange }) => ({ name: app, semverRange })),
                      },
                      { parent: this },
                  )
                : undefined;
        const images: Record<string, pulumi.Output<string>> = Object.fromEntries(
            args.apps.map((app) => [app.name, app.image !== undefined ? pulumi.output(app.image) : registry!.repositories[app.name].url]),
        );

        const ecrAutomated = automated.filter((app) => app.image === undefined || isEcrImage(app.image));
        const existingEcrArns = ecrAutomated.flatMap((app) => (app.image !== undefined ? [ecrRepositoryArn(app.image)!] : []));
        const ecrMode = args.imageAutomation?.ecrAccess ?? "irsa";
        const ecrAccess =
            ecrAutomated.length > 0 && (ecrMode === "pod-identity" ? clusterName !== undefined : oidc.arn !== undefined && oidc.url !== undefined)
                ? new FluxEcrAccess(
                      `${name}-flux-ecr`,
                      {
                          mode: ecrMode,
                          repositoryArns: registry ? registry.repositoryArns.apply((arns) => [...arns, ...existingEcrArns]) : existingEcrArns,
                          oidcProviderArn: oidc.arn,
                          oidcProviderUrl: oidc.url,
                          clusterName,
                          namespace: fluxNamespace,
                          tags,
                      },
                      { parent: this },
                  )
                : undefined;

        const flux = args.flux?.existing
            ? undefined
            : new FluxInstall(
                  `${name}-flux`,
                  { ...args.flux, imageAutomation: automation, imageReflectorServiceAccountAnnotations: ecrAccess?.serviceAccountAnnotations },
                  { parent: this, provider },
              );

        const branch = args.git.branch ?? "main";
        let source: { url: pulumi.Input<string>; privateKey: pulumi.Input<string>; publicKey: pulumi.Input<string>; knownHosts: pulumi.Input<string> };
        let repository: ConfigRepository | undefined;
        let githubProvider: github.Provider | undefined;
        if ("server" in args.git) {
            source = { url: args.git.server.sshUrl, ...args.git.server };
            this.repositorySshUrl = pulumi.output(args.git.server.sshUrl);
        } else {
            const { seedAppFiles: seed, provider: givenGithubProvider, ...repositoryArgs } = args.git;
            // Without an explicit owner the github provider takes GITHUB_OWNER or the token's own user,
            // and would create the repository where Flux's URL (built from `owner`) does not point.
            githubProvider = givenGithubProvider ?? new github.Provider(`${name}-github`, { owner: repositoryArgs.owner }, { parent: this });
            const seedFor = (urls: Record<string, string>) =>
                seedAppFiles({
                    overlayPath: syncPath.replace(/^\.\//, ""),
                    apps: args.apps.map((app) => ({
                        name: app.name,
                        image: urls[app.name],
                        tag: app.initialTag ?? "1.0.0",
                        ...(app.semverRange !== undefined
                            ? { policy: { namespace: fluxNamespace, name: imagePolicyName(app.name) }, pinDigest: args.imageAutomation?.digestPinning ?? false }
                            : {}),
                    })),
                });
            // The file names depend only on the app names; their contents on the image URLs.
            const contents = pulumi.all(images).apply(seedFor);
            const files =
                seed === false
                    ? undefined
                    : Object.fromEntries(Object.keys(seedFor(Object.fromEntries(args.apps.map((app) => [app.name, app.name])))).map((file) => [file, contents.apply((c) => c[file])]));
            repository = new ConfigRepository(
                `${name}-config`,
                { ...repositoryArgs, branch, allowPush: automation, gitOwnedPaths: automation ? [syncPath] : [], files, protect: repositoryArgs.protect ?? protectData },
                { parent: this, provider: githubProvider },
            );
            source = { url: repository.sshUrl, privateKey: repository.privateKeyOpenssh, publicKey: repository.publicKeyOpenssh, knownHosts: repository.knownHosts };
            this.repositorySshUrl = repository.sshUrl;
            this.repositoryHttpsUrl = repository.httpsUrl;
            this.deployKeyFingerprint = repository.deployKeyFingerprint;
        }

        const installed = [...(flux ? [flux] : []), ...(repository ? [repository] : [])];
        const fluxOptions = (dependsOn: pulumi.Resource[]): pulumi.ComponentResourceOptions => ({ parent: this, provider, dependsOn });
        const readyTimeout = args.sync.readyTimeout ?? "5m";
        const gitSource = new GitSource(
            `${name}-source`,
            { name: syncName, namespace: fluxNamespace, branch, interval: args.sync.sourceInterval, readyTimeout, ...source },
            fluxOptions(installed),
        );
        new AppSync(
            `${name}-sync`,
            {
                name: syncName,
                namespace: fluxNamespace,
                sourceRef: { name: syncName },
                path: syncPath,
                interval: args.sync.interval,
                targetNamespace: args.sync.targetNamespace,
                readyTimeout,
                deletionPolicy: args.sync.deletionPolicy,
            },
            fluxOptions([...installed, gitSource]),
        );
        let imageAutomation: ImageAutomation | undefined;
        if (automation) {
            imageAutomation = new ImageAutomation(
                `${name}-images`,
                {
                    namespace: fluxNamespace,
                    images: automated.map((app) => ({ name: app.name, image: images[app.name], semverRange: app.semverRange! })),
                    scanInterval: args.imageAutomation?.scanInterval,
                    insecureRegistry: args.imageAutomation?.insecureRegistry,
                    digestPinning: args.imageAutomation?.digestPinning,
                    automation: {
                        name: syncName,
                        gitRepository: syncName,
                        branch,
                        updatePath: syncPath,
                        interval: args.imageAutomation?.interval,
                        author: args.imageAutomation?.author,
                        messageTemplate: args.imageAutomation?.messageTemplate,
                    },
                },
                fluxOptions([...installed, gitSource]),
            );
        }
        if (githubReceiver && repository) {
            new GitHubReceiver(
                `${name}-receiver`,
                { name: syncName, namespace: fluxNamespace, gitRepository: syncName, repository: repository.repositoryName, exposure: githubReceiver, tokenRotation: args.receiverTokenRotation, readyTimeout },
                { parent: this, providers: [provider, githubProvider!], dependsOn: [...installed, gitSource] },
            );
        }

        const push = args.imagePushEvents;
        if (push && automation) {
            const receiver = new ImagePushReceiver(
                `${name}-image-receiver`,
                {
                    name: imageReceiverName,
                    namespace: fluxNamespace,
                    imageRepositories: automated.map((app) => app.name),
                    type: push.type,
                    githubActions: push.githubActions,
                    token: push.token,
                    tokenRotation: args.receiverTokenRotation,
                    exposure: imagePushExposure(push, githubReceiver, fluxNamespace),
                    readyTimeout,
                },
                fluxOptions([...installed, ...(imageAutomation ? [imageAutomation] : [])]),
            );
            const pushed = ecrPushedApps(args.apps).map((app) => registry!.repositories[app.name].name);
            const eventBridge = push.eventBridge ?? pushed.length > 0;
            if (eventBridge !== false) {
                new EcrPushEvents(
                    `${name}-image-push-events`,
                    { ...(typeof eventBridge === "object" ? eventBridge : {}), repositoryNames: pushed, receiverUrl: receiver.webhookUrl, token: receiver.token!, tags },
                    // Events start flowing once the Receiver serves its path.
                    { parent: this, dependsOn: [receiver] },
                );
            }
            this.imagePushWebhookUrl = receiver.webhookUrl;
        }

        this.provider = provider;
        this.imageRepositories = pulumi.output(images);
        this.fluxNamespace = pulumi.output(fluxNamespace);
        this.gitRepositoryName = pulumi.output(syncName);
        this.gitBranch = pulumi.output(branch);
        this.checkCommands = pulumi.output(fluxCheckCommands(syncName, fluxNamespace, args.sync.targetNamespace, automation));
        this.registerOutputs({
            imageRepositories: this.imageRepositories,
            repositorySshUrl: this.repositorySshUrl,
            fluxNamespace: this.fluxNamespace,
            gitRepositoryName: this.gitRepositoryName,
            gitBranch: this.gitBranch,
            checkCommands: this.checkCommands,
        });
    }
}

/** The tutorial's checks, for the stack's outputs. */
export function fluxCheckCommands(syncName: string, namespace: string, targetNamespace: string | undefined, imageAutomation: boolean): string[] {
    return [
        "flux check",
        `flux get sources git ${syncName} -n ${namespace}`,
        `flux get kustomizations ${syncName} -n ${namespace}`,
        `flux tree kustomization ${syncName} -n ${namespace}`,
        ...(imageAutomation ? [`flux get images all -n ${namespace}`] : []),
        ...(targetNamespace ? [`kubectl get deployments,cronjobs,services,ingresses -n ${targetNamespace}`] : []),
    ];
}
