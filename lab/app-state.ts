import type { KubeClient } from "./kube.js";
import type { ProcessGroup } from "./processes.js";
import { waitFor } from "./processes.js";

export const FLUX_NAMESPACE = "flux-system";
/** The platform stack's GitRepository and Kustomization (the tutorial's sync). */
export const SYNC_NAME = "task-tool";

const API_VERSIONS: Record<string, string> = {
    GitRepository: "source.toolkit.fluxcd.io/v1",
    Kustomization: "kustomize.toolkit.fluxcd.io/v1",
    ImageRepository: "image.toolkit.fluxcd.io/v1",
    ImagePolicy: "image.toolkit.fluxcd.io/v1",
    ImageUpdateAutomation: "image.toolkit.fluxcd.io/v1",
    Receiver: "notification.toolkit.fluxcd.io/v1",
    Deployment: "apps/v1",
    Secret: "v1",
    Namespace: "v1",
};

/** A Flux object or Deployment by kind and name (flux-system unless told), or undefined when there is none. */
export async function get(kube: KubeClient, kind: string, name: string, namespace: string | undefined = FLUX_NAMESPACE): Promise<any> {
    const apiVersion = API_VERSIONS[kind];
    if (!apiVersion) {
        throw new Error(`the lab does not know the apiVersion of ${kind}`);
    }
    return kube.get(apiVersion, kind, name, kind === "Namespace" ? undefined : namespace);
}

/** The tag of an image reference such as `127.0.0.1:5000/owner/app:1.0.1@sha256:...` (registry port and digest ignored). */
export function imageTag(image: string): string | undefined {
    const name = image.split("@")[0];
    const last = name.slice(name.lastIndexOf("/") + 1);
    return last.includes(":") ? last.slice(last.indexOf(":") + 1) : undefined;
}

/** A pod as its tag, followed by why it is not ready where it is not (phase, node or scheduling message). */
export function describePod(pod: any): string {
    const tag = imageTag(pod.spec.containers[0].image) ?? "(no tag)";
    const condition = (type: string) => pod.status?.conditions?.find((c: { type: string }) => c.type === type);
    if (condition("Ready")?.status === "True") {
        return tag;
    }
    const where = pod.spec.nodeName ?? `no node: ${condition("PodScheduled")?.message ?? "not scheduled yet"}`;
    return `${tag} (not ready: ${pod.status?.phase} on ${where})`;
}

/** A Deployment of an app: the tutorial's apps are `prod-<app>` in `prod`. */
export interface DeploymentRef {
    namespace: string;
    name: string;
}

export const prodDeployment = (app: string): DeploymentRef => ({ namespace: "prod", name: `prod-${app}` });

export interface Rollout {
    tag?: string;
    rolledOut: boolean;
    pods: string[];
}

/** What a Deployment runs: its template's tag, and the tags of its live pods with how many are ready. */
export async function rollout(kube: KubeClient, deploymentRef: DeploymentRef): Promise<Rollout> {
    const deployment = await get(kube, "Deployment", deploymentRef.name, deploymentRef.namespace);
    if (!deployment) {
        return { rolledOut: false, pods: [] };
    }
    const tag = imageTag(deployment.spec.template.spec.containers[0].image);
    const wanted: number = deployment.spec.replicas ?? 1;
    const status = deployment.status ?? {};
    const pods = (await kube.list("v1", "Pod", deploymentRef.namespace, deployment.spec.selector.matchLabels)).filter((pod) => !pod.metadata.deletionTimestamp);
    const podTags = pods.map(describePod);
    const rolledOut =
        status.observedGeneration >= deployment.metadata.generation &&
        status.updatedReplicas === wanted &&
        status.availableReplicas === wanted &&
        status.replicas === wanted &&
        pods.length === wanted &&
        podTags.every((podTag) => podTag === tag);
    return { tag, rolledOut, pods: podTags };
}

/** Waits until a Deployment runs `tag` and has rolled out: every pod on it, Ready, none of the old ones left. */
export async function waitForRollout(kube: KubeClient, deploymentRef: DeploymentRef, tag: string, timeoutMs: number, group?: ProcessGroup): Promise<void> {
    await waitFor(
        `Deployment ${deploymentRef.name} in ${deploymentRef.namespace} rolled out with tag ${tag}`,
        timeoutMs,
        async () => {
            const state = await rollout(kube, deploymentRef);
            return state.tag === tag && state.rolledOut ? true : undefined;
        },
        async () => JSON.stringify(await rollout(kube, deploymentRef)),
        group,
    );
}

/** Waits until GitRepository `name` has fetched `commit` of main. */
export async function waitForFetched(kube: KubeClient, commit: string, why: string, timeoutMs: number, group: ProcessGroup, options: { name?: string; namespace?: string; pollMs?: number } = {}): Promise<void> {
    const name = options.name ?? SYNC_NAME;
    await waitFor(
        `GitRepository ${name} to fetch ${commit.slice(0, 7)}${why}`,
        timeoutMs,
        async () => ((await get(kube, "GitRepository", name, options.namespace))?.status?.artifact?.revision === `main@sha1:${commit}` ? true : undefined),
        undefined,
        group,
        options.pollMs,
    );
}
