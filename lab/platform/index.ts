/**
 * The lab's platform stack: GitOpsPlatform on an existing cluster (the lab's API server), its Git
 * source on the lab's SSH server with a key the lab made, and its images in the lab's registry, with
 * the tutorial's apps, intervals and policy. It imports the library as any user's program does, by the
 * package's public entry, and runs under the real Pulumi CLI and kubernetes provider (lab/e2e.ts).
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GitOpsPlatform } from "eks-flux-gitops";

const config = new pulumi.Config();
const registry = config.require("registry");
const owner = config.require("imageOwner");
const apps = config.requireObject<string[]>("apps");
const syncName = "task-tool";

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
});

export const fluxNamespace = platform.fluxNamespace;
export const gitRepositoryName = syncName;
export const kubeconfig = pulumi.secret(config.requireSecret("kubeconfig"));
