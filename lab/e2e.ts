/**
 * `npm run e2e`: the tutorial's GitOps loop run by the real Flux controllers on 127.0.0.1.
 * etcd, kube-apiserver, kube-controller-manager, kube-scheduler and KWOK (one fake node, so
 * Deployments really roll out), sshd serving a bare Git repository, docker-registry, and Flux's
 * notification-, source-, kustomize-, image-reflector- and image-automation-controller as local
 * processes started with the flags of the Deployments FluxInstall generates. Every object applied is
 * one the lab stack (lab-stack.ts) generates through the components' public options. Every process is
 * stopped at the end, also on failure, and no listener may be left.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { seedAppFiles } from "../components/github/seed-app-files.js";
import { updateOverlayKustomization } from "../components/github/setter-markers.js";
import { FAKE_NODE, installCrds, startCluster, startWorkloads } from "./cluster.js";
import { LAB_CONTROLLERS, startFluxControllers } from "./flux-controllers.js";
import { cloneWorkspace, git, installPushWebhook, startGitServer, type GitServer } from "./git-server.js";
import { readyCondition, type KubeClient, type KubeObject } from "./kube.js";
import { evaluateLabStack, FLUX_NAMESPACE, LAB_APPS, LAB_OWNER, SYNC_NAME, type LabIntervals } from "./lab-stack.js";
import { ProcessGroup, waitFor } from "./processes.js";
import { pushTag, startRegistry } from "./registry.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The programs lab/build.sh made, by name (links to the builds of the pinned versions). */
const bin = (name: string) => path.join(projectDir, ".cache/lab/bin", name);
const runDir = path.join(projectDir, ".cache/lab", `run-${new Date().toISOString().replace(/[:.]/g, "-")}`);
const group = new ProcessGroup(path.join(runDir, "logs"));
const OVERLAY = "app/overlays/prod/kustomization.yaml";
const AUTOMATION_AUTHOR = "fluxcdbot <fluxcdbot@users.noreply.github.com>";

/** The tutorial's intervals: Git every 30s, re-apply every 5m, tag scan and automation every 1m. */
const SEED_INTERVALS: LabIntervals = { source: "30s", sync: "5m", scan: "1m", update: "1m" };
/** Instant sync: Git is fetched on GitHub's push webhook, so its interval can stay long; tags are scanned every 10s. */
const FAST_INTERVALS: LabIntervals = { source: "10m", sync: "5m", scan: "10s", update: "1m" };

const isImageObject = (object: KubeObject) => object.apiVersion.startsWith("image.toolkit.fluxcd.io/");

async function applyAll(kube: KubeClient, objects: KubeObject[]): Promise<void> {
    for (const object of objects) {
        await kube.apply(object);
    }
}

async function get(kube: KubeClient, kind: string, name: string, namespace = FLUX_NAMESPACE): Promise<any> {
    const apiVersion = {
        GitRepository: "source.toolkit.fluxcd.io/v1",
        Kustomization: "kustomize.toolkit.fluxcd.io/v1",
        ImageRepository: "image.toolkit.fluxcd.io/v1",
        ImagePolicy: "image.toolkit.fluxcd.io/v1",
        ImageUpdateAutomation: "image.toolkit.fluxcd.io/v1",
        Receiver: "notification.toolkit.fluxcd.io/v1",
        Deployment: "apps/v1",
    }[kind]!;
    return kube.get(apiVersion, kind, name, namespace);
}

/** A pod as its tag, followed by why it is not ready where it is not (phase, node or scheduling message). */
function describePod(pod: any): string {
    const tag = pod.spec.containers[0].image.split(":").pop();
    const condition = (type: string) => pod.status?.conditions?.find((c: { type: string }) => c.type === type);
    if (condition("Ready")?.status === "True") {
        return tag;
    }
    const where = pod.spec.nodeName ?? `no node: ${condition("PodScheduled")?.message ?? "not scheduled yet"}`;
    return `${tag} (not ready: ${pod.status?.phase} on ${where})`;
}

/** What the Deployment of `app` runs: its template's tag, and the tags of its live pods with how many are ready. */
async function rollout(kube: KubeClient, app: string): Promise<{ tag?: string; rolledOut: boolean; pods: string[] }> {
    const deployment = await get(kube, "Deployment", `prod-${app}`, "prod");
    if (!deployment) {
        return { rolledOut: false, pods: [] };
    }
    const tag: string = deployment.spec.template.spec.containers[0].image.split(":").pop();
    const wanted: number = deployment.spec.replicas ?? 1;
    const status = deployment.status ?? {};
    const pods = (await kube.list("v1", "Pod", "prod", deployment.spec.selector.matchLabels)).filter((pod) => !pod.metadata.deletionTimestamp);
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

/** Waits until the Deployment of `app` runs `tag` and has rolled out: every pod on it, Ready, none of the old ones left. */
async function waitForRollout(kube: KubeClient, app: string, tag: string, timeoutMs: number): Promise<void> {
    await waitFor(
        `Deployment prod-${app} in prod rolled out with tag ${tag}`,
        timeoutMs,
        async () => {
            const state = await rollout(kube, app);
            return state.tag === tag && state.rolledOut ? true : undefined;
        },
        async () => JSON.stringify(await rollout(kube, app)),
        group,
    );
}

async function waitReady(kube: KubeClient, kind: string, name: string, timeoutMs: number, accept: (object: any) => boolean = () => true): Promise<any> {
    return waitFor(
        `${kind} ${name} Ready`,
        timeoutMs,
        async () => {
            const object = await get(kube, kind, name);
            return readyCondition(object)?.status === "True" && accept(object) ? object : undefined;
        },
        async () => JSON.stringify(readyCondition(await get(kube, kind, name))),
        group,
    );
}

/** The developer's side of the tutorial: a clone where tags are bumped by hand through the setter-marker writer. */
class Workspace {
    private readonly dir: string;

    constructor(
        private readonly server: GitServer,
        private readonly registry: string,
    ) {
        this.dir = cloneWorkspace(server.bare, `${runDir}/workspace`);
    }

    private images(tags: Record<string, string>) {
        return LAB_APPS.map((name) => ({
            name,
            image: `${this.registry}/${LAB_OWNER}/${name}`,
            tag: tags[name],
            ...(name === "task-service" ? { policy: { namespace: FLUX_NAMESPACE, name } } : {}),
        }));
    }

    /** Commits the files the stack would commit to a new config repository. */
    seed(): string {
        const files = seedAppFiles({ apps: this.images(Object.fromEntries(LAB_APPS.map((app) => [app, "1.0.0"]))) });
        for (const [file, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
            fs.writeFileSync(path.join(this.dir, file), content);
        }
        git(this.dir, "checkout", "--quiet", "-b", "main");
        git(this.dir, "add", ".");
        git(this.dir, "commit", "--quiet", "-m", "Seed the task tool");
        git(this.dir, "push", "--quiet", "origin", "main");
        return git(this.server.bare, "rev-parse", "main");
    }

    /** Pulls (Flux may have committed), sets one app's newTag, commits and pushes; returns when it pushed. */
    bump(app: string, tag: string): number {
        git(this.dir, "pull", "--quiet", "--rebase", "origin", "main");
        const file = path.join(this.dir, OVERLAY);
        const current = fs.readFileSync(file, "utf8");
        const tags = Object.fromEntries(LAB_APPS.map((name) => [name, new RegExp(`newName: \\S+/${name}\\b[^\\n]*\\n\\s*newTag: (\\S+)`).exec(current)?.[1] ?? "1.0.0"]));
        tags[app] = tag;
        const images = this.images(tags).map(({ name, image, tag: newTag, policy }) => ({ name, newName: image, newTag, ...(policy ? { policy } : {}) }));
        fs.writeFileSync(file, updateOverlayKustomization(current, images));
        git(this.dir, "commit", "--quiet", "-am", `Bump ${app} to ${tag}`);
        const pushed = Date.now();
        git(this.dir, "push", "--quiet", "origin", "main");
        return pushed;
    }
}

/** Seconds from a push (to Git, or of a tag to the registry) until the Deployment has rolled out the new tag. */
interface Latencies {
    commitToApplied: number;
    tagPushToApplied: number;
}

async function main(): Promise<void> {
    fs.mkdirSync(runDir, { recursive: true });
    const started = Date.now();
    const seconds = (since: number) => (Date.now() - since) / 1000;
    try {
        const cluster = await startCluster(group, bin, runDir);
        const { kube, kubeconfig } = cluster;
        await startWorkloads(group, bin, runDir, cluster);
        const server = await startGitServer(group, runDir, `${LAB_OWNER}/task-tool-cluster-config`);
        const registry = await startRegistry(group, runDir);
        for (const app of LAB_APPS) {
            await pushTag(registry, `${LAB_OWNER}/${app}`, "1.0.0");
        }
        await pushTag(registry, `${LAB_OWNER}/task-service`, "1.1.0");
        const workspace = new Workspace(server, registry);
        const seeded = workspace.seed();

        // 1. Flux as FluxInstall makes it: its namespace and CRDs, its other objects, and its controllers.
        const seedStack = await evaluateLabStack(server, registry, SEED_INTERVALS, false);
        const installObjects = seedStack.install;
        await applyAll(kube, installObjects.filter((o) => o.kind === "Namespace"));
        await installCrds(kube, installObjects.filter((o) => o.kind === "CustomResourceDefinition"));
        await applyAll(kube, installObjects.filter((o) => o.kind !== "Namespace" && o.kind !== "CustomResourceDefinition"));
        const deployments = new Map(installObjects.filter((o) => o.kind === "Deployment").map((o) => [o.metadata.name, o]));
        const flux = await startFluxControllers(group, bin, runDir, kubeconfig, deployments);
        console.log(`lab up in ${seconds(started).toFixed(1)} s: ${installObjects.length} objects of FluxInstall applied; running ${LAB_CONTROLLERS.join(", ")}`);

        // 2. The source and the sync, as in the tutorial before image automation.
        const syncObjects = seedStack.objects.filter((o) => !isImageObject(o));
        await applyAll(kube, syncObjects);
        const repository = await waitReady(kube, "GitRepository", SYNC_NAME, 120_000, (o) => o.status?.artifact?.revision === `main@sha1:${seeded}`);
        console.log(`GitRepository Ready at ${repository.status.artifact.revision}`);
        const sync = await waitReady(kube, "Kustomization", SYNC_NAME, 120_000, (o) => o.status?.lastAppliedRevision === `main@sha1:${seeded}`);
        await waitForRollout(kube, "task-service", "1.0.0", 60_000);
        console.log(`Kustomization Ready (${sync.status.lastAppliedRevision}); Deployment prod-task-service in prod rolled out: ${JSON.stringify((await rollout(kube, "task-service")).pods)} on ${FAKE_NODE}`);

        // 3. A manual tag change in Git is applied.
        const seed: Partial<Latencies> = {};
        let pushed = workspace.bump("task-service", "1.1.0");
        await waitForRollout(kube, "task-service", "1.1.0", 120_000);
        seed.commitToApplied = seconds(pushed);
        console.log(`commit newTag 1.1.0 -> rolled out in ${seed.commitToApplied.toFixed(1)} s`);

        // 4. Image automation: a new tag in the registry comes back as a commit by fluxcdbot, then applied.
        await applyAll(kube, seedStack.objects.filter(isImageObject));
        await waitReady(kube, "ImagePolicy", "task-service", 120_000, (o) => o.status?.latestRef?.tag === "1.1.0");
        const update = async (previous: string, tag: string, timeoutMs: number) => {
            const before = git(server.bare, "rev-parse", "main");
            const tagPushed = Date.now();
            await pushTag(registry, `${LAB_OWNER}/task-service`, tag);
            await waitFor(`ImagePolicy task-service to choose ${tag}`, timeoutMs, async () => ((await get(kube, "ImagePolicy", "task-service"))?.status?.latestRef?.tag === tag ? true : undefined), undefined, group);
            const commit = await waitFor(
                `image-automation-controller to push a commit after ${before.slice(0, 7)}`,
                timeoutMs,
                async () => (git(server.bare, "rev-parse", "main") !== before ? git(server.bare, "log", "-1", "--format=%an <%ae>%n%B", "main") : undefined),
                undefined,
                group,
            );
            const expected = [
                AUTOMATION_AUTHOR,
                "Update images by Flux image automation",
                "",
                `Automation: ${FLUX_NAMESPACE}/${SYNC_NAME}`,
                "",
                `- ${FLUX_NAMESPACE}:task-service:tag: ${previous} -> ${tag}`,
            ].join("\n");
            if (commit.trim() !== expected) {
                throw new Error(`the automation commit is not by fluxcdbot with the default message:\n${commit}\nexpected:\n${expected}`);
            }
            const overlay = git(server.bare, "show", `main:${OVERLAY}`);
            if (!overlay.includes(`newTag: ${tag} # {"$imagepolicy": "${FLUX_NAMESPACE}:task-service:tag"}`)) {
                throw new Error(`the automation did not rewrite the marked newTag:\n${overlay}`);
            }
            await waitForRollout(kube, "task-service", tag, timeoutMs);
            return { seconds: seconds(tagPushed), commit };
        };
        const automated = await update("1.1.0", "1.1.1", 300_000);
        seed.tagPushToApplied = automated.seconds;
        console.log(`push 1.1.1 -> commit by fluxcdbot -> rolled out in ${automated.seconds.toFixed(1)} s; the commit:\n${automated.commit.replace(/^/gm, "    ")}`);

        // 5. Tags outside the policy's range change nothing.
        const headBefore = git(server.bare, "rev-parse", "main");
        const scanBefore = (await get(kube, "ImageRepository", "task-service")).status.lastScanResult.scanTime;
        await pushTag(registry, `${LAB_OWNER}/task-service`, "1.2.0");
        await pushTag(registry, `${LAB_OWNER}/task-service`, "2.0.0");
        await waitFor("ImageRepository task-service to rescan and list 1.2.0 and 2.0.0", 150_000, async () => {
            const scan = (await get(kube, "ImageRepository", "task-service"))?.status?.lastScanResult;
            return scan && scan.scanTime !== scanBefore && scan.latestTags?.includes("2.0.0") && scan.latestTags?.includes("1.2.0") ? true : undefined;
        }, undefined, group);
        await waitFor("ImageUpdateAutomation task-tool to run after the scan", 90_000, async () => {
            const automation = await get(kube, "ImageUpdateAutomation", SYNC_NAME);
            return Date.parse(automation?.status?.lastAutomationRunTime ?? "") > Date.now() - 5_000 ? true : undefined;
        }, undefined, group);
        const policy = (await get(kube, "ImagePolicy", "task-service")).status.latestRef.tag;
        const head = git(server.bare, "rev-parse", "main");
        const running = await rollout(kube, "task-service");
        if (policy !== "1.1.1" || head !== headBefore || running.tag !== "1.1.1" || !running.rolledOut) {
            throw new Error(`1.2.0 and 2.0.0 changed something: policy chose ${policy}, main ${head.slice(0, 7)} (was ${headBefore.slice(0, 7)}), Deployment ${JSON.stringify(running)}`);
        }
        console.log(`push 1.2.0 and 2.0.0 -> scanned, ImagePolicy 1.1.x keeps 1.1.1, no commit, pods unchanged: ${JSON.stringify(running.pods)}`);

        // 6. Instant sync: a GitHubReceiver, GitHub's push webhook emulated by a post-receive hook, 10s tag scans.
        const fastStack = await evaluateLabStack(server, registry, FAST_INTERVALS, true);
        if (!fastStack.webhook) {
            throw new Error("the lab stack with a receiver registered no webhook");
        }
        await applyAll(kube, fastStack.objects);
        const receiver = await waitReady(kube, "Receiver", SYNC_NAME, 60_000);
        const hookPath = new URL(fastStack.webhook.url).pathname;
        if (receiver.status.webhookPath !== hookPath) {
            throw new Error(`notification-controller serves the Receiver at ${receiver.status.webhookPath}, the webhook the stack registers calls ${hookPath}`);
        }
        const deliveries = `${runDir}/logs/webhook-deliveries.log`;
        installPushWebhook(server.bare, `${flux.receiverUrl}${hookPath}`, fastStack.webhook.secret, deliveries);
        await waitReady(kube, "ImageRepository", "task-service", 60_000, (o) => o.spec.interval === FAST_INTERVALS.scan);
        const fast: Partial<Latencies> = {};
        pushed = workspace.bump("task-web", "1.0.1");
        await waitForRollout(kube, "task-web", "1.0.1", 60_000);
        fast.commitToApplied = seconds(pushed);
        const instant = await update("1.1.1", "1.1.2", 120_000);
        fast.tagPushToApplied = instant.seconds;
        // One delivery per push: the lab's commit and image-automation-controller's over SSH.
        const delivered = fs.readFileSync(deliveries, "utf8").trim().split("\n");
        if (delivered.length < 2 || !delivered.every((line) => line.endsWith(" 200"))) {
            throw new Error(`expected a successful webhook delivery for each of the two pushes:\n${delivered.join("\n")}`);
        }
        console.log(`with the receiver: commit -> rolled out in ${fast.commitToApplied.toFixed(1)} s, tag push -> rolled out in ${fast.tagPushToApplied.toFixed(1)} s (${delivered.length} webhook deliveries, all 200)`);

        const peaks = group.peakMemory();
        const labPeakMiB = Object.values(peaks).reduce((sum, mib) => sum + mib, 0) + Math.round(process.resourceUsage().maxRSS / 1024);
        console.log(`peak memory: ${labPeakMiB} MiB at most (the sum of each program's peak and this test's); ${Object.entries(peaks).map(([name, mib]) => `${name} ${mib}`).join(", ")}`);
        console.log(
            `lab: ${JSON.stringify({
                totalSeconds: Math.round(seconds(started)),
                labPeakMiB,
                seedIntervals: SEED_INTERVALS,
                seed,
                fastIntervals: { ...FAST_INTERVALS, receiver: "github push webhook" },
                fast,
            })}`,
        );
    } finally {
        await group.stopAll();
    }
}

for (const signal of ["SIGINT", "SIGTERM"] as const) {
    process.once(signal, () => {
        console.error(`e2e: ${signal}, stopping the lab`);
        void group.stopAll().finally(() => process.exit(130));
    });
}

main().then(
    () => {
        console.log("e2e: 1 passed, 0 failed");
        process.exit(0);
    },
    (error) => {
        console.error(`e2e failed: ${error instanceof Error ? error.message : String(error)}\nlogs: ${path.relative(projectDir, runDir)}/logs`);
        console.log("e2e: 0 passed, 1 failed");
        process.exit(1);
    },
);
