/**
 * `npm run e2e`: the tutorial's GitOps loop on 127.0.0.1, deployed by the real Pulumi engine and run
 * by the real Flux controllers. etcd, kube-apiserver, kube-controller-manager, kube-scheduler and
 * KWOK (one fake node, so Deployments really roll out) stand in for EKS; sshd serves a bare Git
 * repository; docker-registry holds the images. The lab's platform project (lab/platform), a user's
 * program of the library, is run with the Pulumi CLI and kubernetes provider built from the Go module
 * proxy: `pulumi up` creates every Kubernetes object, Flux's install included, and the lab starts
 * each Flux controller as a local process, with the args of the Deployment `pulumi up` created, as
 * soon as it appears. Every process is stopped at the end, also on failure, and no listener may be left.
 */
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { execFileSync } from "node:child_process";
import { FAKE_NODE, startCluster, startWorkloads } from "./cluster.js";
import { PLATFORM_STACK, PlatformStack, type LabIntervals } from "./engine/platform-stack.js";
import { assertSucceeded, installLanguageHost, PulumiCli, type LabPlugin } from "./engine/pulumi-cli.js";
import { measureStackStartup } from "./engine/startup.js";
import { LAB_CONTROLLERS, startFluxControllers, type RunningFlux } from "./flux-controllers.js";
import { FLUX_NAMESPACE, get, prodDeployment, rollout, SYNC_NAME, waitForRollout } from "./app-state.js";
import type { LabContext } from "./context.js";
import { appTeamPhase } from "./phases/app-team.js";
import { assertAutomationCommit } from "./automation-commit.js";
import { git, installPushWebhook, sshSessions, startGitServer, type GitServer } from "./git-server.js";
import { readyCondition, type KubeClient, type KubeObject } from "./kube.js";
import { ProcessGroup, sleep, waitFor } from "./processes.js";
import { pushTag, restartRegistry, startRegistry } from "./registry.js";
import { follow, p50AndMax, summarize, type Timeline } from "./timeline.js";
import { LAB_APPS, LAB_OWNER, OVERLAY, Workspace } from "./workspace.js";
import { deployKeyRotationPhase } from "./phases/deploy-key-rotation.js";
import { checkPreviewComment } from "./phases/preview-comment.js";
import { receiverTokenRotationPhase } from "./phases/receiver-token-rotation.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
/** The programs lab/build.sh made, by name (links to the builds of the pinned versions). */
const bin = (name: string) => path.join(projectDir, ".cache/lab/bin", name);
const runDir = path.join(projectDir, ".cache/lab", `run-${new Date().toISOString().replace(/[:.]/g, "-")}`);
/** The engine's state of the last run, kept so its update history can be read afterwards. */
const lastRunDir = path.join(projectDir, ".cache/lab/last-run");
const group = new ProcessGroup(path.join(runDir, "logs"));
/**
 * Seconds from `pulumi preview` to the stack program's first resource, on 2 cores: 4.9-7.6 s with the
 * types stripped by Node at load 5-5.7, where tsx took 9.1-12.3 s (7.2-7.5 s idle) and ts-node 18.8 s (idle).
 */
const STARTUP_BUDGET_SECONDS = 10;
/** How long `pulumi up` waits for Flux to be Ready in the lab (the stack's fluxReadyTimeout). */
const READY_TIMEOUT_SECONDS = 90;

/** The tutorial's intervals: Git every 30s, re-apply every 5m, tag scan and automation every 1m. */
const SEED_INTERVALS: LabIntervals = { sourceInterval: "30s", syncInterval: "5m", scanInterval: "1m", automationInterval: "1m" };

/**
 * The optional phases after the platform is up, in the order they run; LAB_PHASES=a,b runs only
 * those (for working on one phase locally; CI runs them all). "instant" needs "automation" before it.
 */
const PHASES = ["automation", "instant", "receiver-token", "deploy-key", "app-team"] as const;
const selectedPhases = process.env.LAB_PHASES ? process.env.LAB_PHASES.split(",") : [...PHASES];
for (const phase of selectedPhases) {
    if (!(PHASES as readonly string[]).includes(phase)) {
        throw new Error(`LAB_PHASES: unknown phase ${phase}; the phases are ${PHASES.join(", ")}`);
    }
}
if (selectedPhases.includes("instant") && !selectedPhases.includes("automation")) {
    throw new Error("LAB_PHASES: instant needs automation before it (it starts from the tag automation left)");
}
if (selectedPhases.includes("receiver-token") && !selectedPhases.includes("instant")) {
    throw new Error("LAB_PHASES: receiver-token needs instant before it (it rotates the tokens instant switched on)");
}
const runs = (phase: (typeof PHASES)[number]) => selectedPhases.includes(phase);

/**
 * LAB_GIT_RTT_MS=n puts n ms of round-trip time between Flux and the Git server (lab/latency-proxy.ts),
 * to see what a distant Git host adds to each delivery. CI runs without (0).
 */
const GIT_ROUND_TRIP_MS = Number(process.env.LAB_GIT_RTT_MS ?? "0");
if (!Number.isInteger(GIT_ROUND_TRIP_MS) || GIT_ROUND_TRIP_MS < 0 || GIT_ROUND_TRIP_MS > 2000) {
    throw new Error(`LAB_GIT_RTT_MS = ${JSON.stringify(process.env.LAB_GIT_RTT_MS)}: must be a whole number of milliseconds from 0 to 2000`);
}

/** The kubernetes provider lab/build.sh built, and the version it is (see lab/versions.env). */
function kubernetesPlugin(): LabPlugin {
    const versions = Object.fromEntries([...fs.readFileSync(path.join(projectDir, "lab/versions.env"), "utf8").matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
    return { name: "kubernetes", version: versions.PULUMI_KUBERNETES_VERSION, binary: bin("pulumi-resource-kubernetes") };
}

/** Seconds from a push (to Git, or of a tag to the registry) until the Deployment has rolled out the new tag. */
interface Latencies {
    commitToApplied: number;
    tagPushToApplied: number;
}

/**
 * Starts each Flux controller as a local process once `pulumi up` has created its Deployment, with
 * that Deployment's args, as a kubelet would start its pod.
 */
async function startControllersWhenDeployed(kube: KubeClient, kubeconfig: string): Promise<RunningFlux> {
    const deployments = await waitFor(
        `pulumi up to create the Deployments of ${LAB_CONTROLLERS.join(", ")}`,
        600_000,
        async () => {
            const found = new Map<string, KubeObject>();
            for (const controller of LAB_CONTROLLERS) {
                const deployment = await get(kube, "Deployment", controller);
                if (deployment) {
                    found.set(controller, deployment);
                }
            }
            return found.size === LAB_CONTROLLERS.length ? found : undefined;
        },
        undefined,
        group,
    );
    return startFluxControllers(group, bin, runDir, kubeconfig, deployments);
}

/** Fails unless `pulumi up` left the GitRepository and the Kustomization Ready at `revision`, read at the moment it returned. */
async function assertReadyNow(kube: KubeClient, revision: string): Promise<string> {
    const repository = await get(kube, "GitRepository", SYNC_NAME);
    const sync = await get(kube, "Kustomization", SYNC_NAME);
    const states = [
        ["GitRepository", readyCondition(repository), repository?.status?.artifact?.revision],
        ["Kustomization", readyCondition(sync), sync?.status?.lastAppliedRevision],
    ] as const;
    for (const [kind, ready, applied] of states) {
        if (ready?.status !== "True" || applied !== revision) {
            throw new Error(`pulumi up returned before ${kind} ${SYNC_NAME} was Ready at ${revision}: ${JSON.stringify(ready)}, revision ${applied}`);
        }
    }
    return `GitRepository and Kustomization Ready at ${revision} when pulumi up returned`;
}

/**
 * During `pulumi destroy`, stops each controller process once its Deployment is gone, as a kubelet
 * would stop its pod: a Flux object deleted after its controller would then keep its finalizer.
 */
async function stopControllersWhenDeleted(kube: KubeClient, destroying: () => boolean): Promise<void> {
    const running = new Set<string>(LAB_CONTROLLERS);
    while (destroying() && running.size > 0) {
        for (const controller of [...running]) {
            if (!(await get(kube, "Deployment", controller))) {
                group.stop(controller);
                running.delete(controller);
            }
        }
        await sleep(250);
    }
}

/** Every Flux custom object left in the cluster, as kind/namespace/name. */
async function fluxObjects(kube: KubeClient): Promise<string[]> {
    const kinds = [
        ["source.toolkit.fluxcd.io/v1", "GitRepository"],
        ["kustomize.toolkit.fluxcd.io/v1", "Kustomization"],
        ["image.toolkit.fluxcd.io/v1", "ImageRepository"],
        ["image.toolkit.fluxcd.io/v1", "ImagePolicy"],
        ["image.toolkit.fluxcd.io/v1", "ImageUpdateAutomation"],
        ["notification.toolkit.fluxcd.io/v1", "Receiver"],
    ];
    const left: string[] = [];
    for (const [apiVersion, kind] of kinds) {
        for (const object of await kube.list(apiVersion, kind)) {
            left.push(`${kind}/${object.metadata.namespace}/${object.metadata.name}${object.metadata.finalizers?.length ? ` (finalizers ${object.metadata.finalizers.join(",")})` : ""}`);
        }
    }
    return left;
}

function keepEngineState(cli: PulumiCli): void {
    fs.rmSync(lastRunDir, { recursive: true, force: true });
    fs.mkdirSync(lastRunDir, { recursive: true });
    fs.cpSync(cli.backend, path.join(lastRunDir, "backend"), { recursive: true });
    fs.writeFileSync(path.join(lastRunDir, "README"), `The file backend of the lab's last run (${path.basename(runDir)}): PULUMI_BACKEND_URL=file://${path.join(lastRunDir, "backend")} PULUMI_CONFIG_PASSPHRASE='lab-only passphrase' pulumi stack history --stack ${PLATFORM_STACK}\n`);
}

async function main(): Promise<void> {
    fs.mkdirSync(runDir, { recursive: true });
    const started = Date.now();
    const seconds = (since: number) => (Date.now() - since) / 1000;
    const report: Record<string, unknown> = {};
    const cli = new PulumiCli(bin("pulumi"), path.join(runDir, "logs"), path.join(runDir, "pulumi"), path.join(projectDir, "node_modules/.bin"));
    try {
        // The real engine: the CLI, the lab's language host and the kubernetes provider, nothing downloaded.
        installLanguageHost(bin("pulumi"), projectDir, path.join(projectDir, "node_modules/.bin/node"));
        const plugin = kubernetesPlugin();
        await cli.installPlugin(plugin);
        const startup = await measureStackStartup(cli, projectDir, runDir);
        // A guard against type-checking (and, on a busy machine, tsx) coming back, with room for that machine's load.
        if (startup > STARTUP_BUDGET_SECONDS) {
            throw new Error(`the stack program took ${startup.toFixed(1)} s to its first resource registration under pulumi preview; the budget is ${STARTUP_BUDGET_SECONDS} s`);
        }
        console.log(`the stack program (index.ts, Pulumi.prod.yaml) registers its first resource ${startup.toFixed(1)} s after pulumi preview starts (types stripped by Node, no type-check; that is npm test's)`);
        report.stackStartupSeconds = startup;
        report.gitRoundTripMs = GIT_ROUND_TRIP_MS;
        const cluster = await startCluster(group, bin, runDir);
        const { kube, kubeconfig } = cluster;
        await startWorkloads(group, bin, runDir, cluster);
        const server = await startGitServer(group, runDir, `${LAB_OWNER}/task-tool-cluster-config`, GIT_ROUND_TRIP_MS);
        const labRegistry = await startRegistry(group, runDir);
        const registry = labRegistry.address;
        for (const app of LAB_APPS) {
            await pushTag(registry, `${LAB_OWNER}/${app}`, "1.0.0");
        }
        const workspace = new Workspace(server, registry, `${runDir}/workspace`);
        const seeded = workspace.seed();
        const latency = GIT_ROUND_TRIP_MS > 0 ? ` behind ${GIT_ROUND_TRIP_MS} ms of round trip` : "";
        console.log(`lab up in ${seconds(started).toFixed(1)} s: API server, controllers, KWOK node, sshd${latency}, registry; config repository seeded at ${seeded.slice(0, 7)}`);

        const stack = new PlatformStack(cli, projectDir, runDir);
        const wrongKey = otherKey(runDir);
        await stack.init(fs.readFileSync(kubeconfig, "utf8"), { ...server, privateKey: wrongKey }, registry, LAB_OWNER, LAB_APPS, SEED_INTERVALS, `${READY_TIMEOUT_SECONDS}s`);
        const controllers = startControllersWhenDeployed(kube, kubeconfig);
        controllers.catch(() => undefined); // awaited below, after pulumi up has returned

        // 1. A deploy key the server does not accept: pulumi up fails within the ready timeout with Flux's own message.
        const refused = await stack.up();
        if (refused.code === 0 || !/unable to authenticate/.test(refused.output)) {
            throw new Error(`pulumi up with a wrong deploy key should fail with Flux's authentication error; it exited ${refused.code}:\n${refused.output.split("\n").slice(-30).join("\n")}`);
        }
        const fluxMessage = /failed to checkout and determine revision[^\n"]*/.exec(refused.output)?.[0] ?? "";
        console.log(`pulumi up with a wrong deploy key: failed after ${refused.seconds.toFixed(1)} s (ready timeout ${READY_TIMEOUT_SECONDS}s) with Flux's message: ${fluxMessage.slice(0, 220)}`);
        report.wrongKeyUpSeconds = refused.seconds;
        const flux = await controllers;

        // 2. The right key: pulumi up returns once the GitRepository and the Kustomization are Ready.
        await stack.setConfig({}, { privateKey: server.privateKey });
        const up = await stack.up();
        assertSucceeded("pulumi up", up);
        console.log(`pulumi up: ${await assertReadyNow(kube, `main@sha1:${seeded}`)}, in ${up.seconds.toFixed(1)} s`);
        report.upSeconds = up.seconds;
        await waitForRollout(kube, prodDeployment("task-service"), "1.0.0", 60_000, group);
        console.log(`Deployment prod-task-service in prod rolled out: ${JSON.stringify((await rollout(kube, prodDeployment("task-service"))).pods)} on ${FAKE_NODE}`);

        const ctx: LabContext = { projectDir, runDir, group, bin, kube, kubeconfig, cli, stack, server, registry: labRegistry, workspace, flux };
        const secrets = [server.privateKey, wrongKey, fs.readFileSync(kubeconfig, "utf8")];
        if (runs("automation")) {
            await automationPhases(ctx, report, secrets);
        }
        if (runs("instant")) {
            // 8. Instant delivery: Receivers for the Git server's push webhook and the registry's push notifications.
            report.instant = await instantDelivery(ctx);
        }
        if (runs("receiver-token")) {
            report.receiverTokenRotation = await receiverTokenRotationPhase(ctx, secrets);
        }
        if (runs("deploy-key")) {
            report.deployKeyRotation = await deployKeyRotationPhase(ctx);
        }
        if (runs("app-team")) {
            // 8d. An app team's own stack reads the platform's outputs and adds its app; its destroy removes only that app.
            report.appTeam = await appTeamPhase(ctx);
        }

        // 9. Destroy: Flux's objects go while their controllers run, so no finalizer is left; the retained stays.
        await destroyPhase(ctx, report);

        const peaks = group.peakMemory();
        const labPeakMiB = Object.values(peaks).reduce((sum, mib) => sum + mib, 0) + Math.round(process.resourceUsage().maxRSS / 1024);
        console.log(`peak memory: ${labPeakMiB} MiB at most (the sum of each program's peak and this test's); ${Object.entries(peaks).map(([name, mib]) => `${name} ${mib}`).join(", ")}`);
        console.log(`lab: ${JSON.stringify({ totalSeconds: Math.round(seconds(started)), labPeakMiB, seedIntervals: SEED_INTERVALS, ...report })}`);
    } finally {
        try {
            keepEngineState(cli);
        } finally {
            await group.stopAll();
        }
    }
}

/** Steps 3-7: a manual commit, image automation, Git owning the app, the guardrails, tags out of range, a range change. */
async function automationPhases(ctx: LabContext, report: Record<string, unknown>, secrets: string[]): Promise<void> {
        const { kube, cli, stack, server, registry: labRegistry, workspace } = ctx;
        const registry = labRegistry.address;
        const seconds = (since: number) => (Date.now() - since) / 1000;
        // 3. A manual tag change in Git is applied.
        const seed: Partial<Latencies> = {};
        const pushed = workspace.bump("task-service", "1.1.0");
        await waitForRollout(kube, prodDeployment("task-service"), "1.1.0", 120_000, group);
        seed.commitToApplied = seconds(pushed);
        console.log(`commit newTag 1.1.0 -> rolled out in ${seed.commitToApplied.toFixed(1)} s`);

        // 4. Image automation: a new tag in the registry comes back as a commit by fluxcdbot, then applied.
        const update = async (previous: string, tag: string, timeoutMs: number, push = true) => {
            const before = git(server.bare, "rev-parse", "main");
            const tagPushed = Date.now();
            if (push) {
                await pushTag(registry, `${LAB_OWNER}/task-service`, tag);
            }
            await waitFor(`ImagePolicy task-service to choose ${tag}`, timeoutMs, async () => ((await get(kube, "ImagePolicy", "task-service"))?.status?.latestRef?.tag === tag ? true : undefined), undefined, group);
            const commit = await waitFor(
                `image-automation-controller to push a commit after ${before.slice(0, 7)}`,
                timeoutMs,
                async () => (git(server.bare, "rev-parse", "main") !== before ? git(server.bare, "log", "-1", "--format=%an <%ae>%n%B", "main") : undefined),
                undefined,
                group,
            );
            assertTagCommitted(server, previous, tag);
            await waitForRollout(kube, prodDeployment("task-service"), tag, timeoutMs, group);
            return { seconds: seconds(tagPushed), commit };
        };
        const automated = await update("1.1.0", "1.1.1", 300_000);
        seed.tagPushToApplied = automated.seconds;
        console.log(`push 1.1.1 -> commit by fluxcdbot -> rolled out in ${automated.seconds.toFixed(1)} s; the commit:\n${automated.commit.replace(/^/gm, "    ")}`);

        // 5. Git owns the app: after Flux's commit, Pulumi sees nothing to change.
        const quiet = await stack.preview("--expect-no-changes");
        if (quiet.code !== 0) {
            throw new Error(`pulumi preview --expect-no-changes after Flux's commit found changes:\n${quiet.output.split("\n").slice(-40).join("\n")}`);
        }
        console.log(`pulumi preview --expect-no-changes after Flux's commit: no changes (${quiet.seconds.toFixed(1)} s)`);

        // 5b. The guardrails pack runs through the engine (built by npm run build:policy): it refuses the
        // lab's SSH URL (not GitHub's ssh://git@ form), and passes once that rule is disabled by name.
        const policyPack = path.join(projectDir, "policy");
        const refusedByPolicy = await stack.preview("--policy-pack", policyPack);
        if (refusedByPolicy.code === 0 || !/\[mandatory\]\s+flux-git-ssh-branch/.test(refusedByPolicy.output)) {
            throw new Error(`pulumi preview --policy-pack policy should refuse the lab's ssh://root@127.0.0.1 URL:\n${refusedByPolicy.output.split("\n").slice(-30).join("\n")}`);
        }
        const guarded = await stack.preview("--policy-pack", policyPack, "--policy-pack-config", labPolicyConfig());
        if (guarded.code !== 0 || !/eks-flux-gitops-guardrails/.test(guarded.output)) {
            throw new Error(`pulumi preview --policy-pack policy with the lab's pack config failed:\n${guarded.output.split("\n").slice(-40).join("\n")}`);
        }
        console.log(`pulumi preview --policy-pack policy: the guardrails ran through the engine, refused the lab's non-GitHub SSH URL (flux-git-ssh-branch), and passed with that rule disabled (${refusedByPolicy.seconds.toFixed(1)} s, ${guarded.seconds.toFixed(1)} s)`);

        // 6. Tags outside the policy's range change nothing.
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
        const running = await rollout(kube, prodDeployment("task-service"));
        if (policy !== "1.1.1" || head !== headBefore || running.tag !== "1.1.1" || !running.rolledOut) {
            throw new Error(`1.2.0 and 2.0.0 changed something: policy chose ${policy}, main ${head.slice(0, 7)} (was ${headBefore.slice(0, 7)}), Deployment ${JSON.stringify(running)}`);
        }
        console.log(`push 1.2.0 and 2.0.0 -> scanned, ImagePolicy 1.1.x keeps 1.1.1, no commit, pods unchanged: ${JSON.stringify(running.pods)}`);

        // 7. A stack config change: the range 1.1.x -> 1.2.x is exactly one change on the ImagePolicy; Flux moves to 1.2.0.
        await stack.setConfig({ taskServiceRange: "1.2.x" });
        const diff = await stack.preview("--diff");
        assertRangeDiff(diff.output);
        const configHead = git(server.bare, "rev-parse", "main");
        const rangeComment = checkPreviewComment(ctx, {
            name: "range-change",
            preview: diff,
            expect: { resourceType: "kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy", field: "spec.policy.semver.range", old: "1.1.x", new: "1.2.x" },
            secrets,
            base: configHead,
            head: configHead,
        });
        console.log(`pulumi preview --diff of taskServiceRange 1.1.x -> 1.2.x: one update, the ImagePolicy's semver range (${diff.seconds.toFixed(1)} s); the pull request comment, no secret in it: ${path.relative(projectDir, rangeComment.file)}`);
        const rangeStarted = Date.now();
        const rangeUp = await cli.ok(stack.dir, ["up", "--yes", "--skip-preview", "--stack", PLATFORM_STACK, "--config-file", path.join(runDir, `Pulumi.${PLATFORM_STACK}.yaml`)]);
        const moved = await update("1.1.1", "1.2.0", 180_000, false);
        console.log(`pulumi up of the new range in ${rangeUp.seconds.toFixed(1)} s -> ImagePolicy chose 1.2.0 -> commit by fluxcdbot -> rolled out ${seconds(rangeStarted).toFixed(1)} s after pulumi up began:\n${moved.commit.replace(/^/gm, "    ")}`);

        report.seed = seed;
}

/** Step 9: `pulumi destroy` while the controllers run; no Flux object left, the retained kept. */
async function destroyPhase({ kube, stack, server }: LabContext, report: Record<string, unknown>): Promise<void> {
        const commitsBefore = git(server.bare, "rev-list", "--count", "main");
        let destroying = true;
        const kubelet = stopControllersWhenDeleted(kube, () => destroying);
        const destroyed = await stack.destroy();
        destroying = false;
        await kubelet;
        assertSucceeded("pulumi destroy", destroyed);
        const left = await fluxObjects(kube);
        if (left.length > 0) {
            throw new Error(`pulumi destroy left Flux objects behind: ${left.join(", ")}`);
        }
        const retained = {
            fluxNamespace: (await kube.get("v1", "Namespace", FLUX_NAMESPACE)) !== undefined,
            appNamespace: (await kube.get("v1", "Namespace", "prod")) !== undefined,
            crds: (await kube.list("apiextensions.k8s.io/v1", "CustomResourceDefinition")).filter((crd) => crd.spec.group.endsWith(".toolkit.fluxcd.io")).length,
            fluxDeployments: (await kube.list("apps/v1", "Deployment", FLUX_NAMESPACE)).length,
        };
        // deletionPolicy Orphan (the platform's default): Flux leaves every app it applied running.
        await sleep(3_000);
        // The tutorial's task-reporter is a CronJob, the other apps are Deployments.
        const apps = await Promise.all(
            LAB_APPS.map(async (app) => [app, app === "task-reporter" ? (await kube.get("batch/v1", "CronJob", `prod-${app}`, "prod")) !== undefined : (await rollout(kube, prodDeployment(app))).rolledOut] as const),
        );
        const commitsAfter = git(server.bare, "rev-list", "--count", "main");
        if (!retained.fluxNamespace || !retained.appNamespace || retained.crds === 0 || retained.fluxDeployments !== 0 || commitsAfter !== commitsBefore || !apps.every(([, running]) => running)) {
            throw new Error(`after pulumi destroy: ${JSON.stringify({ ...retained, commitsBefore, commitsAfter, appsRunning: Object.fromEntries(apps) })}`);
        }
        console.log(
            `pulumi destroy in ${destroyed.seconds.toFixed(1)} s: no Flux object left, controllers' Deployments gone; kept: namespaces ${FLUX_NAMESPACE} and prod, ${retained.crds} Flux CRDs, ` +
                `Git history (${commitsAfter} commits), and with deletionPolicy Orphan the apps Flux applied (Deployments prod-task-service and prod-task-web still rolled out, CronJob prod-task-reporter still there)`,
        );
        report.destroySeconds = destroyed.seconds;
}

/**
 * Switches the platform stack's Receivers on (a GitHub-type Receiver the Git server's post-receive hook
 * calls, a generic image push Receiver the registry's notifications call; the ImageRepository keeps its
 * 1m scan, Git its interval of 10m) and measures, step by step, how fast five tag pushes and five
 * commits reach the pods, and one tag push with the registry's events off.
 */
async function instantDelivery(ctx: LabContext) {
    const { kube, cli, stack, server, registry, workspace, flux } = ctx;
    const gitToken = crypto.randomBytes(24).toString("hex");
    const imageToken = crypto.randomBytes(24).toString("hex");
    await stack.setConfig({ receivers: "true", sourceInterval: "10m" }, { gitReceiverToken: gitToken, imageReceiverToken: imageToken });
    const up = await stack.up();
    assertSucceeded("pulumi up with the receivers", up);
    const outputs = JSON.parse((await cli.ok(stack.dir, ["stack", "output", "--json", "--show-secrets", "--stack", PLATFORM_STACK])).output);
    const gitPath = new URL(outputs.gitWebhookUrl).pathname;
    const imagePath = new URL(outputs.imagePushWebhookUrl).pathname;
    // pulumi up waits for the Receivers' Ready (readiness annotations): their paths are served when it returns.
    const served = new Set((await kube.list("notification.toolkit.fluxcd.io/v1", "Receiver", FLUX_NAMESPACE)).map((r) => r.status?.webhookPath));
    if (!served.has(gitPath) || !served.has(imagePath)) {
        throw new Error(`pulumi up returned before notification-controller served the stack's webhook paths ${gitPath} and ${imagePath}; served: ${[...served].join(", ")}`);
    }
    const deliveries = `${runDir}/logs/webhook-deliveries.log`;
    installPushWebhook(server.bare, `${flux.receiverUrl}${gitPath}`, gitToken, deliveries);
    ctx.receivers = { gitToken, imageToken, gitWebhookUrl: `${flux.receiverUrl}${gitPath}`, deliveries };
    await restartRegistry(group, runDir, registry, `${flux.receiverUrl}${imagePath}`);
    console.log(`pulumi up with the receivers in ${up.seconds.toFixed(1)} s; Receivers served at the stack's webhook paths when it returned; the registry notifies the image Receiver, the Git server's hook the Git Receiver`);

    // SSH sessions Flux opened to the Git host per delivery: on a real network each costs its round trips.
    const sessions = { tagPush: [] as number[], commit: [] as number[] };
    const tagPush = async (tag: string, previous: string, events = true): Promise<Timeline> => {
        const before = git(server.bare, "rev-parse", "main");
        const sessionsBefore = sshSessions(server);
        const requested = (await get(kube, "ImageRepository", "task-service"))?.metadata?.annotations?.["reconcile.fluxcd.io/requestedAt"];
        const since = Date.now();
        await pushTag(registry.address, `${LAB_OWNER}/task-service`, tag);
        const pushed = Date.now() - since;
        let head = before;
        const delivered: Array<[string, () => Promise<boolean>]> = [
            ["event delivered", async () => (await get(kube, "ImageRepository", "task-service"))?.metadata?.annotations?.["reconcile.fluxcd.io/requestedAt"] !== requested],
        ];
        const timeline = await follow(group, `tag ${tag} to reach the pods`, since, 150_000, [
            ...(events ? delivered : []),
            ["scan done", async () => (await get(kube, "ImageRepository", "task-service"))?.status?.lastScanResult?.latestTags?.includes(tag) === true],
            ["policy chose it", async () => (await get(kube, "ImagePolicy", "task-service"))?.status?.latestRef?.tag === tag],
            ["commit pushed", async () => (head = git(server.bare, "rev-parse", "main")) !== before],
            ["Kustomization applied", async () => (await get(kube, "Kustomization", SYNC_NAME))?.status?.lastAppliedRevision === `main@sha1:${head}`],
            ["pods Ready", async () => {
                const state = await rollout(kube, prodDeployment("task-service"));
                return state.tag === tag && state.rolledOut;
            }],
        ]);
        assertTagCommitted(server, previous, tag);
        if (events) {
            sessions.tagPush.push(sshSessions(server) - sessionsBefore);
        }
        return { "tag pushed": pushed, ...timeline };
    };
    const commit = async (tag: string): Promise<Timeline> => {
        const sessionsBefore = sshSessions(server);
        const pushed = workspace.bump("task-web", tag);
        const head = git(server.bare, "rev-parse", "main");
        const timeline = await follow(group, `commit of task-web ${tag} to reach the pods`, pushed, 60_000, [
            ["source fetched", async () => (await get(kube, "GitRepository", SYNC_NAME))?.status?.artifact?.revision === `main@sha1:${head}`],
            ["Kustomization applied", async () => (await get(kube, "Kustomization", SYNC_NAME))?.status?.lastAppliedRevision === `main@sha1:${head}`],
            ["pods Ready", async () => {
                const state = await rollout(kube, prodDeployment("task-web"));
                return state.tag === tag && state.rolledOut;
            }],
        ]);
        sessions.commit.push(sshSessions(server) - sessionsBefore);
        return timeline;
    };

    const tags: Timeline[] = [];
    let previous = "1.2.0";
    for (const tag of ["1.2.1", "1.2.2", "1.2.3", "1.2.4", "1.2.5"]) {
        tags.push(await tagPush(tag, previous));
        previous = tag;
    }
    const commits: Timeline[] = [];
    for (const tag of ["1.0.1", "1.0.2", "1.0.3", "1.0.4", "1.0.5"]) {
        commits.push(await commit(tag));
    }
    await restartRegistry(group, runDir, registry);
    const polled = await tagPush("1.2.6", previous, false);
    const delivered = fs.readFileSync(deliveries, "utf8").trim().split("\n");
    if (!delivered.every((line) => line.endsWith(" 200"))) {
        throw new Error(`a Git push webhook delivery failed:\n${delivered.join("\n")}`);
    }
    const result = {
        tagPushToPods: summarize(tags),
        commitToPods: summarize(commits),
        sshSessions: { tagPush: p50AndMax(sessions.tagPush), commit: p50AndMax(sessions.commit) },
        tagPushPollingOnly: polled,
        gitWebhookDeliveries: delivered.length,
    };
    const line = (timeline: Record<string, { p50: number; max: number }>) => Object.entries(timeline).map(([step, { p50, max }]) => `${step} ${p50}/${max}`).join(", ");
    console.log(`instant delivery, seconds p50/max since the push (5 each):\n    tag push -> ${line(result.tagPushToPods)}\n    commit -> ${line(result.commitToPods)}`);
    console.log(`    SSH sessions to the Git host per delivery, p50/max: tag push ${result.sshSessions.tagPush.p50}/${result.sshSessions.tagPush.max}, commit ${result.sshSessions.commit.p50}/${result.sshSessions.commit.max}`);
    console.log(`    one tag push with the registry's events off (1m scan): ${Object.entries(polled).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)}`).join(", ")}`);
    return result;
}

/** image-automation-controller's last commit moved task-service from `previous` to `tag`, and rewrote the marked newTag. */
function assertTagCommitted(server: GitServer, previous: string, tag: string): void {
    assertAutomationCommit(server, "main", `${FLUX_NAMESPACE}/${SYNC_NAME}`, [`- ${FLUX_NAMESPACE}:task-service:tag: ${previous} -> ${tag}`]);
    const overlay = git(server.bare, "show", `main:${OVERLAY}`);
    if (!overlay.includes(`newTag: ${tag} # {"$imagepolicy": "${FLUX_NAMESPACE}:task-service:tag"}`)) {
        throw new Error(`the automation did not rewrite the marked newTag:\n${overlay}`);
    }
}

/** The pack config for the lab's stack: GitHub's `ssh://git@` URL form cannot hold for the lab's SSH server. */
function labPolicyConfig(): string {
    const file = path.join(runDir, "policy-config.json");
    fs.writeFileSync(file, JSON.stringify(LAB_POLICY_CONFIG, null, 2));
    return file;
}

const LAB_POLICY_CONFIG: Record<string, string> = { "flux-git-ssh-branch": "disabled" };

/** A key pair the lab's SSH server does not authorise, for the wrong-key case. */
function otherKey(dir: string): string {
    const file = path.join(dir, "unauthorised_key");
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "not-authorised", "-f", file]);
    return fs.readFileSync(file, "utf8");
}

/** The preview of the range change names the ImagePolicy's range, old and new, and nothing else changes. */
function assertRangeDiff(output: string): void {
    const plain = output.replace(/\u001b\[[0-9;]*m/g, "");
    const summary = /Resources:\s*\n([\s\S]*?)\n\s*\n/.exec(plain)?.[1] ?? plain;
    if (!/~ 1 to update/.test(summary) || /to create|to delete|to replace/.test(summary)) {
        throw new Error(`pulumi preview --diff of the range change should update exactly one resource:\n${plain.split("\n").slice(-60).join("\n")}`);
    }
    if (!/kubernetes:image\.toolkit\.fluxcd\.io\/v1:ImagePolicy/.test(plain) || !/range\s*:\s*"1\.1\.x"\s*=>\s*"1\.2\.x"/.test(plain)) {
        throw new Error(`pulumi preview --diff does not name the ImagePolicy's range 1.1.x => 1.2.x:\n${plain.split("\n").slice(-60).join("\n")}`);
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
