import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { contentNamedSecret } from "eks-flux-gitops";
import { FLUX_NAMESPACE, get, prodDeployment, SYNC_NAME, waitForFetched, waitForRollout } from "../app-state.js";
import type { LabContext } from "../context.js";
import { PLATFORM_STACK } from "../engine/platform-stack.js";
import { assertSucceeded } from "../engine/pulumi-cli.js";
import { git, installPushWebhook } from "../git-server.js";
import { readyCondition } from "../kube.js";
import { sleep, waitFor } from "../processes.js";
import { sampleDuring } from "../timeline.js";
import { checkPreviewComment } from "./preview-comment.js";

const RECEIVER_SECRET_BASE = `${SYNC_NAME}-token`;

/** Sends GitHub's push event for `after`, signed with `token`, as the Git server's hook does; returns the HTTP status. */
async function sendPush(url: string, token: string, after: string): Promise<number> {
    const body = JSON.stringify({ ref: "refs/heads/main", before: "0".repeat(40), after, repository: { name: "lab" } });
    const signature = crypto.createHmac("sha256", token).update(body).digest("hex");
    const response = await fetch(url, {
        method: "POST",
        body,
        headers: { "Content-Type": "application/json", "X-GitHub-Event": "push", "X-GitHub-Delivery": `${Date.now()}`, "X-Hub-Signature-256": `sha256=${signature}` },
    });
    return response.status;
}

/**
 * Issue 10's receiver token rotation, with a token the lab makes (the existing-token option; a
 * generated token is rotated by receiverTokenRotation, the same Secret and Receiver change): the PR
 * comment of its `pulumi preview --diff` names the Receiver's new Secret and shows no token; `pulumi up`
 * switches the Receiver to a new Secret without a moment on a missing one; the Git server's webhook then
 * calls the new URL with the new token, and a push reaches the pods through it; a push signed with
 * the old token is refused at the old URL and at the new one, and triggers nothing.
 */
export async function receiverTokenRotationPhase(ctx: LabContext, secrets: string[]): Promise<Record<string, unknown>> {
    const { kube, cli, stack, server, workspace, flux, group } = ctx;
    if (!ctx.receivers) {
        throw new Error("the receiver token rotation needs the receivers the instant phase switches on");
    }
    const old = ctx.receivers;
    const token = crypto.randomBytes(24).toString("hex");
    const [oldSecret, newSecret] = [contentNamedSecret(RECEIVER_SECRET_BASE, [old.gitToken]), contentNamedSecret(RECEIVER_SECRET_BASE, [token])];
    const head = git(server.bare, "rev-parse", "main");

    // The comment a pull request changing the token would get: the Receiver's secretRef, no token.
    await stack.setConfig({}, { gitReceiverToken: token });
    const preview = await stack.preview("--diff");
    const comment = checkPreviewComment(ctx, {
        name: "receiver-token",
        preview,
        expect: { resourceType: "kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", field: "spec.secretRef.name", old: oldSecret, new: newSecret },
        secrets: [...secrets, old.gitToken, old.imageToken, token],
        base: head,
        head,
    });

    // pulumi up, the Receiver sampled every 100 ms: Ready, on a Secret that exists.
    const { result: up, samples } = await sampleDuring(
        () => stack.up(),
        async () => {
            const receiver = await get(kube, "Receiver", SYNC_NAME).catch(() => undefined);
            const secretRef = receiver?.spec?.secretRef?.name;
            const secret = secretRef ? await kube.get("v1", "Secret", secretRef, FLUX_NAMESPACE).catch(() => undefined) : undefined;
            return { ready: readyCondition(receiver)?.status ?? "absent", secretRef, secretThere: secret !== undefined };
        },
    );
    assertSucceeded("pulumi up with the rotated receiver token", up, [token]);
    const gaps = samples.filter((s) => s.ready !== "True" || !s.secretThere);
    const receiver = await get(kube, "Receiver", SYNC_NAME);
    if (receiver.spec.secretRef.name !== newSecret || gaps.length > 0 || (await kube.get("v1", "Secret", oldSecret, FLUX_NAMESPACE)) !== undefined) {
        throw new Error(`the receiver rotation had a gap or left the old Secret: secretRef ${receiver.spec.secretRef.name} (expected ${newSecret}); ${gaps.length} samples not Ready or on a missing Secret`);
    }

    // The new URL is the one notification-controller serves; the Git server's webhook moves to it.
    const outputs = JSON.parse((await cli.ok(stack.dir, ["stack", "output", "--json", "--show-secrets", "--stack", PLATFORM_STACK])).output);
    const newUrl = `${flux.receiverUrl}${new URL(outputs.gitWebhookUrl).pathname}`;
    await waitFor("the Receiver to serve the new token's path", 30_000, async () => {
        const served = (await get(kube, "Receiver", SYNC_NAME))?.status?.webhookPath;
        return served && newUrl.endsWith(served) ? true : undefined;
    }, undefined, group);
    if (newUrl === old.gitWebhookUrl) {
        throw new Error("the webhook URL did not change with the token");
    }
    installPushWebhook(server.bare, newUrl, token, old.deliveries);
    ctx.receivers = { ...old, gitToken: token, gitWebhookUrl: newUrl };

    // The old token is refused, at the old URL (no longer served) and at the new one (bad signature).
    const requested = (await get(kube, "GitRepository", SYNC_NAME))?.metadata?.annotations?.["reconcile.fluxcd.io/requestedAt"];
    const atOldUrl = await sendPush(old.gitWebhookUrl, old.gitToken, head);
    const atNewUrl = await sendPush(newUrl, old.gitToken, head);
    await sleep(2_000);
    const requestedAfter = (await get(kube, "GitRepository", SYNC_NAME))?.metadata?.annotations?.["reconcile.fluxcd.io/requestedAt"];
    if (atOldUrl < 400 || atNewUrl < 400 || requestedAfter !== requested) {
        throw new Error(`a push signed with the old token was accepted: HTTP ${atOldUrl} at the old URL, ${atNewUrl} at the new one; requestedAt ${requested} -> ${requestedAfter}`);
    }

    // A push signed with the new token (the Git server's hook) reaches the pods at once (Git interval 10m).
    const pushed = workspace.bump("task-web", "1.0.7");
    const commit = git(server.bare, "rev-parse", "main");
    await waitForFetched(kube, commit, " through the Receiver", 30_000, group, { pollMs: 100 });
    const fetchedSeconds = (Date.now() - pushed) / 1000;
    await waitForRollout(kube, prodDeployment("task-web"), "1.0.7", 60_000, group);
    const appliedSeconds = (Date.now() - pushed) / 1000;
    const lastDelivery = fs.readFileSync(old.deliveries, "utf8").trim().split("\n").pop() ?? "";
    if (!lastDelivery.endsWith(" 200")) {
        throw new Error(`the Git server's delivery with the new token was not accepted: ${lastDelivery}`);
    }
    console.log(
        `receiver token rotation: preview comment ${comment.file} names the Receiver's secretRef ${oldSecret} -> ${newSecret}, no token in it; ` +
            `pulumi up in ${up.seconds.toFixed(1)} s, Receiver Ready on an existing Secret in all ${samples.length} samples; ` +
            `old token refused (HTTP ${atOldUrl} at the old URL, ${atNewUrl} at the new), nothing triggered; a push with the new token fetched in ${fetchedSeconds.toFixed(1)} s, rolled out in ${appliedSeconds.toFixed(1)} s`,
    );
    return { previewSeconds: comment.previewSeconds, upSeconds: up.seconds, samples: samples.length, oldTokenStatus: [atOldUrl, atNewUrl], fetchedSeconds, appliedSeconds };
}
