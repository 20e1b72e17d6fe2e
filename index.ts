import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import { GitOpsPlatform } from "./components/index.js";
import { readStackConfig } from "./stack/config.js";

const config = readStackConfig(pulumi.getProject(), (key) => {
    const [namespace, ...name] = key.split(":");
    return new pulumi.Config(namespace).get(name.join(":"));
});
// AWS Load Balancer Controller: a public ALB that only listens on HTTPS, its certificate discovered in ACM by host.
const ALB_HTTPS_ANNOTATIONS = {
    "alb.ingress.kubernetes.io/scheme": "internet-facing",
    "alb.ingress.kubernetes.io/target-type": "ip",
    "alb.ingress.kubernetes.io/listen-ports": '[{"HTTPS":443}]',
};
// The repository, deploy key and files go to the owner Flux's URL names; the token comes from GITHUB_TOKEN.
const githubProvider = new github.Provider("github", { owner: config.githubOwner });
const policies = new Map(config.imagePolicies.map((policy) => [policy.app, policy.semverRange]));

// The platform's logical name, fixed so that no setting (clusterName included) changes any URN:
// it is the name this stack was first deployed with, a name in Pulumi's state, not the cluster's.
const PLATFORM_LOGICAL_NAME = "mz-k8s";

const platform = new GitOpsPlatform(PLATFORM_LOGICAL_NAME, {
    apps: config.apps.map((app) => ({ name: app, initialTag: config.initialTag, semverRange: policies.get(app) })),
    cluster: {
        clusterName: config.clusterName,
        kubernetesVersion: config.kubernetesVersion,
        instanceTypes: config.nodeInstanceTypes,
        desiredSize: config.nodeDesiredSize,
        minSize: config.nodeMinSize,
        maxSize: config.nodeMaxSize,
        publicAccessCidrs: config.clusterPublicAccessCidrs,
        access: config.clusterAccess,
        gitSsh: config.gitSshCidrs.length > 0 ? { kind: "cidrs", cidrs: config.gitSshCidrs } : { kind: "github" },
    },
    registry: { namePrefix: config.imageNamePrefix || undefined },
    git: { owner: config.githubOwner, name: config.configRepository, branch: config.branch, provider: githubProvider, keyRotation: config.deployKeyRotation },
    sync: {
        path: config.syncPath,
        targetNamespace: config.targetNamespace,
        interval: config.syncInterval,
        sourceInterval: config.sourceInterval,
        readyTimeout: config.fluxReadyTimeout,
        deletionPolicy: config.syncDeletionPolicy,
    },
    imageAutomation: { scanInterval: config.imageScanInterval, digestPinning: config.imageDigestPinning },
    ...(config.imagePushEvents
        ? {
              imagePushEvents: {
                  exposure: {
                      kind: "ingress",
                      host: config.imagePushReceiverHost,
                      ...(config.imagePushIngressClass ? { ingressClassName: config.imagePushIngressClass } : {}),
                      ...(config.imagePushIngressClass === "alb" ? { annotations: ALB_HTTPS_ANNOTATIONS } : {}),
                  },
                  eventBridge: { invocationRateLimitPerSecond: config.imagePushRateLimitPerSecond },
              },
          }
        : {}),
    receiverTokenRotation: config.receiverTokenRotation,
    protectData: config.protectData,
});

export const kubeconfig = platform.kubeconfig;
export const ecrRepositoryUrls = platform.imageRepositories;
export const configRepositorySshUrl = platform.repositorySshUrl;
export const configRepositoryHttpsUrl = platform.repositoryHttpsUrl;
export const deployKeyFingerprint = platform.deployKeyFingerprint;
export const fluxCheckCommands = platform.checkCommands;
// What an app team's stack reads through a StackReference to add its app to this Flux (README).
export const fluxNamespace = platform.fluxNamespace;
export const gitRepositoryName = platform.gitRepositoryName;
export const gitBranch = platform.gitBranch;
