/**
 * Issue 10's lab step and issue 12's `deletionPolicy: Delete` through the real engine: an app team's
 * own Pulumi project (lab/app-team) reads the platform stack's outputs through a StackReference on the
 * same file backend and adds its app to the running Flux; its `pulumi destroy` takes down its app and
 * only its app.
 */
import { parse } from "yaml";
import { teamAppFiles } from "../app-team-files.js";
import { get, rollout, waitForFetched, waitForRollout, type DeploymentRef, type Rollout } from "../app-state.js";
import type { LabContext } from "../context.js";
import { AppTeamStack } from "../engine/app-team-stack.js";
import { assertAutomationCommit } from "../automation-commit.js";
import { assertSucceeded } from "../engine/pulumi-cli.js";
import { git } from "../git-server.js";
import { readyCondition, type KubeClient } from "../kube.js";
import { waitFor } from "../processes.js";
import { pushTag } from "../registry.js";
import { follow } from "../timeline.js";
import { LAB_OWNER } from "../workspace.js";

const TEAM = "billing";
const APP = "billing-api";
const TEAM_PATH = "./teams/billing";
const SEMVER_RANGE = "1.0.x";
/** The team's Deployment: its manifests name it, its AppSync puts it into the team's namespace. */
const TEAM_DEPLOYMENT: DeploymentRef = { namespace: TEAM, name: APP };

/** The platform's GitRepository and Kustomization must both be Ready. */
async function assertPlatformReady(kube: KubeClient, namespace: string, name: string, when: string): Promise<void> {
    for (const kind of ["GitRepository", "Kustomization"]) {
        const ready = readyCondition(await get(kube, kind, name, namespace));
        if (ready?.status !== "True") {
            throw new Error(`${when}: the platform's ${kind} ${name} is not Ready: ${JSON.stringify(ready)}`);
        }
    }
}

/** Every Deployment of the platform's app namespace, with what it runs; all must be rolled out. */
async function platformDeployments(kube: KubeClient, namespace: string, when: string): Promise<Record<string, Rollout>> {
    const states: Record<string, Rollout> = {};
    for (const deployment of await kube.list("apps/v1", "Deployment", namespace)) {
        states[deployment.metadata.name] = await rollout(kube, { namespace, name: deployment.metadata.name });
    }
    const notRolledOut = Object.entries(states).filter(([, state]) => !state.rolledOut);
    if (Object.keys(states).length === 0 || notRolledOut.length > 0) {
        throw new Error(`${when}: the platform's Deployments in ${namespace} are not all rolled out: ${JSON.stringify(states)}`);
    }
    return states;
}

export async function appTeamPhase({ projectDir, runDir, group, kube, cli, stack: platform, server, registry, workspace }: LabContext): Promise<Record<string, unknown>> {
    const outputs = await platform.outputs();
    const fluxNamespace = String(outputs.fluxNamespace);
    const gitRepositoryName = String(outputs.gitRepositoryName);
    const image = `${registry.address}/${LAB_OWNER}/${APP}`;
    const head = () => git(server.bare, "rev-parse", "main");
    const platformSync = await get(kube, "Kustomization", gitRepositoryName, fluxNamespace);
    const appNamespace: string = platformSync.spec.targetNamespace;

    // The team's developers push their first image and commit their folder, as they would without Pulumi.
    const firstDigest = await pushTag(registry.address, `${LAB_OWNER}/${APP}`, "1.0.0");
    const committed = workspace.commit(teamAppFiles({ path: TEAM_PATH, app: APP, image, tag: "1.0.0", policyNamespace: fluxNamespace, pinDigest: true }), `Billing: add ${APP}`);
    const commitPushed = Date.now();
    await waitForFetched(kube, committed, ", the team's commit", 120_000, group, { name: gitRepositoryName, namespace: fluxNamespace });
    const fetchedSeconds = (Date.now() - commitPushed) / 1000;

    const team = new AppTeamStack(cli, projectDir, runDir);
    await team.init({
        platformStack: platform.reference,
        team: TEAM,
        app: APP,
        image,
        semverRange: SEMVER_RANGE,
        path: TEAM_PATH,
        insecureRegistry: true,
        digestPinning: true,
        scanInterval: "1m",
        automationInterval: "1m",
        readyTimeout: "2m",
    });

    // pulumi up: the team's Kustomization is Ready when it returns, and its Deployment rolls out.
    const up = await team.up();
    assertSucceeded("pulumi up of the app team's stack", up);
    const upReturned = Date.now();
    const sync = await get(kube, "Kustomization", TEAM, fluxNamespace);
    if (readyCondition(sync)?.status !== "True" || sync.status.lastAppliedRevision !== `main@sha1:${committed}` || sync.spec.deletionPolicy !== "Delete") {
        throw new Error(`pulumi up of the app team's stack returned before its Kustomization ${TEAM} was Ready at ${committed.slice(0, 7)} with deletionPolicy Delete: ${JSON.stringify({ ready: readyCondition(sync), revision: sync?.status?.lastAppliedRevision, deletionPolicy: sync?.spec?.deletionPolicy })}`);
    }
    await waitForRollout(kube, TEAM_DEPLOYMENT, "1.0.0", 60_000, group);
    const rolledOutSeconds = (Date.now() - upReturned) / 1000;
    console.log(
        `app team: its commit fetched by the platform's GitRepository in ${fetchedSeconds.toFixed(1)} s; pulumi up of ${team.reference} (StackReference ${platform.reference}) in ${up.seconds.toFixed(1)} s: Kustomization ${TEAM} Ready at ${committed.slice(0, 7)} when it returned; Deployment ${APP} in ${TEAM} rolled out at 1.0.0 ${rolledOutSeconds.toFixed(1)} s later`,
    );

    // Digest pinning: the team's automation first pins the running tag to the digest its ImagePolicy
    // reflected (the folder's digest marker was empty), and the Deployment follows.
    const kustomizationFile = `${TEAM_PATH.slice(2)}/kustomization.yaml`;
    const digestInGit = (revision: string) => parse(git(server.bare, "show", `${revision}:${kustomizationFile}`))?.images?.[0]?.digest;
    const runsImage = async () => (await get(kube, "Deployment", APP, TEAM))?.spec?.template?.spec?.containers?.[0]?.image;
    const runsPinned = (tag: string, digest: string) => async () => ((await runsImage()) === `${image}:${tag}@${digest}` && (await rollout(kube, TEAM_DEPLOYMENT)).rolledOut ? true : undefined);
    await waitFor(`the team's automation to pin ${APP}:1.0.0 to ${firstDigest}`, 150_000, async () => (digestInGit("main") === firstDigest ? true : undefined), async () => `digest in Git: ${JSON.stringify(digestInGit("main"))}`, group);
    assertTeamCommit(server, head(), fluxNamespace, [`- ${fluxNamespace}:${APP}:digest:  -> ${firstDigest}`]);
    await waitFor(`Deployment ${APP} to roll out on 1.0.0@${firstDigest}`, 60_000, runsPinned("1.0.0", firstDigest), async () => `runs ${await runsImage()}`, group);
    console.log(`app team: its automation pinned 1.0.0 to the pushed digest (${firstDigest.slice(0, 19)}...) through the empty :digest marker; Deployment ${APP} rolled out on it ${((Date.now() - upReturned) / 1000).toFixed(1)} s after pulumi up returned`);

    // A tag push goes through the team's ImagePolicy and its own automation, which commits to its folder only.
    const before = head();
    let pushedHead = before;
    const tagPushed = Date.now();
    const pushedDigest = await pushTag(registry.address, `${LAB_OWNER}/${APP}`, "1.0.1");
    const timeline = await follow(group, `tag 1.0.1 of ${APP} to reach the team's pods`, tagPushed, 240_000, [
        ["policy chose it", async () => (await get(kube, "ImagePolicy", APP, fluxNamespace))?.status?.latestRef?.tag === "1.0.1"],
        ["commit pushed", async () => (pushedHead = head()) !== before],
        ["Kustomization applied", async () => (await get(kube, "Kustomization", TEAM, fluxNamespace))?.status?.lastAppliedRevision === `main@sha1:${pushedHead}`],
        ["pods Ready", async () => {
            const state = await rollout(kube, TEAM_DEPLOYMENT);
            return state.tag === "1.0.1" && state.rolledOut;
        }],
    ]);
    const changed = assertTeamCommit(server, pushedHead, fluxNamespace, [`- ${fluxNamespace}:${APP}:tag: 1.0.0 -> 1.0.1`, `- ${fluxNamespace}:${APP}:digest: ${firstDigest} -> ${pushedDigest}`]);
    const policyDigest = (await get(kube, "ImagePolicy", APP, fluxNamespace))?.status?.latestRef?.digest;
    const digestLine = git(server.bare, "show", `${pushedHead}:${kustomizationFile}`).split("\n").find((line) => line.trim().startsWith("digest:"));
    if (policyDigest !== pushedDigest || digestInGit(pushedHead) !== pushedDigest || !digestLine?.endsWith(`# {"$imagepolicy": "${fluxNamespace}:${APP}:digest"}`) || (await runsPinned("1.0.1", pushedDigest)()) !== true) {
        throw new Error(`digest pinning: pushed ${pushedDigest}; the ImagePolicy reflected ${policyDigest}; Git has ${JSON.stringify(digestLine)}; the Deployment runs ${await runsImage()}`);
    }
    console.log(`app team: push ${APP}:1.0.1 -> ${Object.entries(timeline).map(([step, ms]) => `${step} ${(ms / 1000).toFixed(1)}`).join(", ")} s; fluxcdbot's commit by ImageUpdateAutomation ${TEAM} changed ${changed.join(", ")} only, tag and digest (${pushedDigest.slice(0, 19)}...); the Deployment runs ${APP}:1.0.1@ that digest`);

    // pulumi destroy of the team's stack: Flux deletes the team's app (deletionPolicy Delete); the platform stays.
    await assertPlatformReady(kube, fluxNamespace, gitRepositoryName, "before the app team's destroy");
    const platformBefore = await platformDeployments(kube, appNamespace, "before the app team's destroy");
    const destroyed = await team.destroy();
    assertSucceeded("pulumi destroy of the app team's stack", destroyed);
    const destroyReturned = Date.now();
    const teamObjects: Array<[string, string]> = [["Kustomization", TEAM], ["ImageRepository", APP], ["ImagePolicy", APP], ["ImageUpdateAutomation", TEAM]];
    const left = [];
    for (const [kind, name] of teamObjects) {
        const object = await get(kube, kind, name, fluxNamespace);
        if (object) {
            left.push(`${kind}/${name}${object.metadata.finalizers?.length ? ` (finalizers ${object.metadata.finalizers.join(",")})` : ""}`);
        }
    }
    if (left.length > 0) {
        throw new Error(`pulumi destroy of the app team's stack left its Flux objects behind: ${left.join(", ")}`);
    }
    const deploymentAtReturn = (await get(kube, "Deployment", APP, TEAM)) !== undefined;
    await waitFor(`Flux to delete Deployment ${APP} in ${TEAM} (deletionPolicy Delete)`, 60_000, async () => ((await get(kube, "Deployment", APP, TEAM)) === undefined ? true : undefined), undefined, group);
    const deploymentGoneSeconds = (Date.now() - destroyReturned) / 1000;
    const serviceLeft = (await kube.get("v1", "Service", APP, TEAM)) !== undefined;
    const namespaceKept = (await get(kube, "Namespace", TEAM)) !== undefined;
    if (serviceLeft || !namespaceKept) {
        throw new Error(`after the app team's destroy: Service ${APP} ${serviceLeft ? "still there" : "gone"}, namespace ${TEAM} ${namespaceKept ? "kept" : "deleted"} (expected: Service deleted by Flux, namespace kept by the stack's retainOnDelete)`);
    }
    await assertPlatformReady(kube, fluxNamespace, gitRepositoryName, "after the app team's destroy");
    const platformAfter = await platformDeployments(kube, appNamespace, "after the app team's destroy");
    const tags = (states: Record<string, Rollout>) => Object.fromEntries(Object.entries(states).map(([name, state]) => [name, state.tag]));
    if (JSON.stringify(tags(platformAfter)) !== JSON.stringify(tags(platformBefore))) {
        throw new Error(`the app team's destroy changed the platform's Deployments: before ${JSON.stringify(tags(platformBefore))}, after ${JSON.stringify(tags(platformAfter))}`);
    }
    const untouched = await platform.preview("--expect-no-changes");
    assertSucceeded("pulumi preview --expect-no-changes of the platform stack after the app team's destroy", untouched);
    console.log(
        `app team: pulumi destroy in ${destroyed.seconds.toFixed(1)} s: its Kustomization, ImageRepository, ImagePolicy and ImageUpdateAutomation gone (no finalizer left); Flux deleted its Deployment and Service (deletionPolicy Delete; the Deployment ${deploymentAtReturn ? `went ${deploymentGoneSeconds.toFixed(1)} s after destroy returned` : "was already gone when destroy returned"}); namespace ${TEAM} kept; the platform's GitRepository and Kustomization ${gitRepositoryName} still Ready, its Deployments unchanged ${JSON.stringify(tags(platformAfter))}; platform preview --expect-no-changes passed (${untouched.seconds.toFixed(1)} s)`,
    );
    return {
        commitFetchedSeconds: fetchedSeconds,
        upSeconds: up.seconds,
        rolledOutAfterUpSeconds: rolledOutSeconds,
        tagPushToPods: Object.fromEntries(Object.entries(timeline).map(([step, ms]) => [step, ms / 1000])),
        destroySeconds: destroyed.seconds,
        deploymentGoneAfterDestroySeconds: deploymentAtReturn ? deploymentGoneSeconds : 0,
        platformPreviewSeconds: untouched.seconds,
    };
}

/** `revision` is the team's automation commit listing `changes`, and changes the team's kustomization.yaml alone; returns the files it changed. */
function assertTeamCommit(server: LabContext["server"], revision: string, fluxNamespace: string, changes: string[]): string[] {
    const changed = assertAutomationCommit(server, revision, `${fluxNamespace}/${TEAM}`, changes);
    if (changed.join(",") !== `${TEAM_PATH.slice(2)}/kustomization.yaml`) {
        throw new Error(`the team's automation commit ${revision} changed ${changed.join(", ")}, not ${TEAM_PATH}/kustomization.yaml alone`);
    }
    return changed;
}
