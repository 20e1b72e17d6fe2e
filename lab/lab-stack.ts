import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { GitHubReceiver } from "../components/flux/github-receiver.js";
import { GitOpsPlatform } from "../components/gitops-platform.js";
import { isKubernetesObject } from "../stack/plan-report.js";
import { MockCloud, settled, useMockCloud } from "../testing/mock-cloud.js";
import type { GitServer } from "./git-server.js";
import type { KubeObject } from "./kube.js";

export const LAB_APPS = ["task-service", "task-reporter", "task-web"];
export const LAB_OWNER = "mamezou-tech";
export const FLUX_NAMESPACE = "flux-system";
export const SYNC_NAME = "task-tool";

export interface LabIntervals {
    source: string;
    sync: string;
    scan: string;
    update: string;
}

export interface LabStack {
    /** The Kubernetes objects of FluxInstall: namespace, CRDs, RBAC, the controllers' Deployments... */
    install: KubeObject[];
    /** Every other Kubernetes object the stack applies, with secret values. */
    objects: KubeObject[];
    /** The push webhook the stack registers on GitHub, when it has a receiver. */
    webhook?: { url: string; secret: string };
}

/**
 * The lab's stack, through the components' public options only: GitOpsPlatform on an existing
 * cluster, with its Git source on the lab's SSH server (an existing key and known_hosts) and its
 * images in the lab's registry, the tutorial's apps and policy; with `receiver`, a GitHubReceiver
 * for instant sync. Evaluated under Pulumi's mocks, so the objects are exactly what `pulumi up` applies.
 */
export async function evaluateLabStack(git: GitServer, registry: string, intervals: LabIntervals, receiver: boolean): Promise<LabStack> {
    const cloud = await useMockCloud(new MockCloud(), "eks-flux-gitops", "lab");
    const provider = new k8s.Provider("lab", { kubeconfig: "{}" });
    const platform = new GitOpsPlatform("lab", {
        apps: LAB_APPS.map((app) => ({
            name: app,
            image: `${registry}/${LAB_OWNER}/${app}`,
            initialTag: "1.0.0",
            ...(app === "task-service" ? { semverRange: "1.1.x" } : {}),
        })),
        cluster: { existing: { provider } },
        git: { server: { sshUrl: git.url, privateKey: pulumi.secret(git.privateKey), publicKey: git.publicKey, knownHosts: git.knownHosts } },
        sync: { name: SYNC_NAME, path: "./app/overlays/prod", targetNamespace: "prod", interval: intervals.sync, sourceInterval: intervals.source },
        imageAutomation: { scanInterval: intervals.scan, interval: intervals.update, insecureRegistry: true },
    });
    if (receiver) {
        new GitHubReceiver(
            "lab-receiver",
            { name: SYNC_NAME, namespace: FLUX_NAMESPACE, gitRepository: SYNC_NAME, repository: "task-tool-cluster-config", exposure: { kind: "external", baseUrl: "https://flux-webhook.lab.invalid" } },
            { provider, dependsOn: [platform] },
        );
    }
    await settled(cloud);
    // A child's URN carries its ancestors' types, FluxInstall's among them for the install's objects.
    const ofInstall = (r: { urn: string }) => r.urn.includes("eks-flux-gitops:flux:FluxInstall$");
    const kubernetes = cloud.resources.filter(isKubernetesObject);
    const install = kubernetes.filter(ofInstall).map((r) => r.inputs as KubeObject);
    const objects = kubernetes.filter((r) => !ofInstall(r)).map((r) => r.inputs as KubeObject);
    const hook = cloud.resources.find((r) => r.type === "github:index/repositoryWebhook:RepositoryWebhook");
    return {
        install,
        objects,
        ...(hook ? { webhook: { url: hook.inputs.configuration.url, secret: hook.inputs.configuration.secret } } : {}),
    };
}
