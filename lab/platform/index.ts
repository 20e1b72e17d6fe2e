/**
 * The lab's platform stack: GitOpsPlatform on an existing cluster (the lab's API server), its Git
 * source on the lab's SSH server with a key the lab made, and its images in the lab's registry, with
 * the tutorial's apps, intervals and policy. It imports the library as any user's program does, by the
 * package's public entry, and runs under the real Pulumi CLI and kubernetes provider (lab/e2e.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GitHubReceiver, GitOpsPlatform } from "eks-flux-gitops";

const config = new pulumi.Config();
const registry = config.require("registry");
const owner = config.require("imageOwner");
const apps = config.requireObject<string[]>("apps");
const syncName = "task-tool";
const branch = "main";

/** Instant delivery: the push webhook of the Git server and the registry's push notifications, each with a lab-made token. */
const receivers = config.getBoolean("receivers") ?? false;

const provider = new k8s.Provider("lab", { kubeconfig: config.requireSecret("kubeconfig") });
const platform = new GitOpsPlatform("lab", {
    apps: apps.map((app) => ({
        name: app,
        image: `${registry}/${owner}/${app}`,
        initialTag: "1.0.0",
        ...(app === "task-service" ? { semverRange: config.require("taskServiceRange") } : {}),
    })),
    cluster: { existing: { provider } },
    git: {
        server: {
            sshUrl: config.require("gitUrl"),
            privateKey: config.requireSecret("privateKey"),
            publicKey: config.require("publicKey"),
            knownHosts: config.require("knownHosts"),
        },
        branch,
    },
    sync: {
        name: syncName,
        path: "./app/overlays/prod",
        targetNamespace: "prod",
        interval: config.require("syncInterval"),
        sourceInterval: config.require("sourceInterval"),
        readyTimeout: config.require("readyTimeout"),
    },
    imageAutomation: { scanInterval: config.require("scanInterval"), interval: config.require("automationInterval"), insecureRegistry: true },
    ...(receivers ? { imagePushEvents: { token: config.requireSecret("imageReceiverToken"), eventBridge: false } } : {}),
});

// The lab's Git server sends GitHub's push event itself (a post-receive hook), so no webhook is registered.
const gitReceiver = receivers
    ? new GitHubReceiver(
          "lab-receiver",
          { name: syncName, gitRepository: syncName, token: config.requireSecret("gitReceiverToken"), exposure: { kind: "external", baseUrl: "https://flux-webhook.lab.invalid" } },
          { provider, dependsOn: [platform] },
      )
    : undefined;

// What app teams' stacks read through a StackReference (lab/app-team) to add their apps to this Flux.
/** The namespace of Flux and of its objects (GitRepository, Kustomizations, image objects). */
export const fluxNamespace: pulumi.Output<string> = platform.fluxNamespace;
/** The GitRepository of the config repository, in fluxNamespace; teams sync their own folders of it. */
export const gitRepositoryName: string = syncName;
/** The branch the GitRepository follows, which teams' image automation commits to. */
export const gitBranch: string = branch;
/** Kubeconfig of the cluster (secret). */
export const kubeconfig: pulumi.Output<string> = pulumi.secret(config.requireSecret("kubeconfig"));
export const gitWebhookUrl = gitReceiver?.webhookUrl;
export const imagePushWebhookUrl = platform.imagePushWebhookUrl;
