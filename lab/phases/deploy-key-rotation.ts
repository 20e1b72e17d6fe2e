import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { FLUX_NAMESPACE, get, prodDeployment, SYNC_NAME, waitForFetched, waitForRollout } from "../app-state.js";
import type { LabContext } from "../context.js";
import { authorizeKey, canFetch, git, revokeKey } from "../git-server.js";
import { readyCondition } from "../kube.js";
import { assertSucceeded } from "../engine/pulumi-cli.js";
import { sampleDuring } from "../timeline.js";

/** What the GitRepository and its SSH Secrets looked like at one moment of the rotation. */
interface Sample {
    ready: string;
    secretRef?: string;
    sshSecrets: string[];
}

/** The GitRepository's Ready condition and secretRef, and the SSH Secrets there are. */
async function sampleSource(ctx: LabContext): Promise<Sample> {
    const repository = await get(ctx.kube, "GitRepository", SYNC_NAME).catch(() => undefined);
    const secrets = await ctx.kube.list("v1", "Secret", FLUX_NAMESPACE).catch(() => []);
    return {
        ready: readyCondition(repository)?.status ?? "absent",
        secretRef: repository?.spec?.secretRef?.name,
        sshSecrets: secrets.map((s) => s.metadata.name as string).filter((name) => name.startsWith(`${SYNC_NAME}-ssh-`)),
    };
}

/** Index of the first line of the engine's output matching `pattern`, -1 when none does. */
const lineOf = (lines: string[], pattern: RegExp) => lines.findIndex((line) => pattern.test(line));

/**
 * Issue 10's deploy key rotation, with the key the lab makes (the lab cannot run the tls provider nor
 * hold a GitHub deploy key): the new public key is authorised on the SSH server (GitHub: the new deploy
 * key, which the stack registers first), `pulumi up` hands the new private key to the existing-key
 * option, then the old key is removed from the server (GitHub: the old deploy key, deleted last).
 * Asserts the GitRepository stayed Ready throughout and always referred to a Secret that existed, the
 * engine created the new Secret before switching the GitRepository and deleted the old one last, a
 * commit made right after is applied, and the server refuses the old key afterwards.
 */
export async function deployKeyRotationPhase(ctx: LabContext): Promise<Record<string, unknown>> {
    const { kube, stack, server, workspace, runDir, group } = ctx;
    const dir = path.join(runDir, "rotation");
    fs.mkdirSync(dir, { recursive: true });
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "flux-lab-rotated", "-f", path.join(dir, "new_key")]);
    const oldKeyFile = path.join(dir, "old_key");
    fs.writeFileSync(oldKeyFile, server.privateKey, { mode: 0o600 });
    const knownHostsFile = path.join(dir, "known_hosts");
    fs.writeFileSync(knownHostsFile, server.knownHosts);
    const newKey = { privateKey: fs.readFileSync(path.join(dir, "new_key"), "utf8"), publicKey: fs.readFileSync(path.join(dir, "new_key.pub"), "utf8").trim() };
    const before = await get(kube, "GitRepository", SYNC_NAME);
    const oldSecret: string = before.spec.secretRef.name;

    // 1. The new key is accepted before anything else changes.
    authorizeKey(server, newKey.publicKey);
    // 2. One pulumi up with the new key pair, the source watched every 100 ms.
    await stack.setConfig({ publicKey: newKey.publicKey }, { privateKey: newKey.privateKey });
    // Rotation has a gap if any sample is not Ready or refers to a Secret that is not there.
    const { result: up, samples } = await sampleDuring(() => stack.up(), () => sampleSource(ctx));
    assertSucceeded("pulumi up with the rotated key", up);
    const after = await get(kube, "GitRepository", SYNC_NAME);
    const newSecret: string = after.spec.secretRef.name;
    const gaps = samples.filter((s) => s.ready !== "True" || !s.secretRef || !s.sshSecrets.includes(s.secretRef));
    if (newSecret === oldSecret || gaps.length > 0) {
        throw new Error(`the rotation had a gap: secretRef ${oldSecret} -> ${newSecret}; samples not Ready or without their Secret: ${JSON.stringify(gaps.slice(0, 5))}`);
    }
    const both = samples.filter((s) => s.sshSecrets.includes(oldSecret) && s.sshSecrets.includes(newSecret)).length;
    const left = (await kube.list("v1", "Secret", FLUX_NAMESPACE)).map((s) => s.metadata.name as string).filter((name) => name.startsWith(`${SYNC_NAME}-ssh-`));
    if (left.length !== 1 || left[0] !== newSecret) {
        throw new Error(`after the rotation the SSH Secrets are ${left.join(", ")}; expected only ${newSecret}`);
    }
    // The engine's own account of the order: the replacement Secret created, the GitRepository
    // updated to it, the original Secret deleted last.
    const lines = up.output.replace(/\u001b\[[0-9;]*m/g, "").split("\n");
    const order = [
        lineOf(lines, /kubernetes:core\/v1:Secret\s.*created replacement/),
        lineOf(lines, /GitRepository\s.*updated/),
        lineOf(lines, /kubernetes:core\/v1:Secret\s.*deleted original/),
    ];
    if (order.includes(-1) || !(order[0] < order[1] && order[1] < order[2])) {
        throw new Error(`pulumi up did not create the new Secret, update the GitRepository and delete the old Secret in that order (lines ${order.join(", ")}):\n${lines.slice(-40).join("\n")}`);
    }

    // 3. The old key is removed from the server; a commit made right after is applied with the new key.
    revokeKey(server, server.publicKey);
    const pushed = workspace.bump("task-web", "1.0.6");
    const head = git(server.bare, "rev-parse", "main");
    await waitForFetched(kube, head, " with the new key", 120_000, group);
    await waitForRollout(kube, prodDeployment("task-web"), "1.0.6", 120_000, group);
    const commitToApplied = (Date.now() - pushed) / 1000;
    const refused = canFetch(server, oldKeyFile, knownHostsFile);
    const accepted = canFetch(server, path.join(dir, "new_key"), knownHostsFile);
    if (refused.ok || !/Permission denied/.test(refused.message) || !accepted.ok) {
        throw new Error(`after the rotation the server should refuse the old key and accept the new one: old ${refused.ok ? "accepted" : refused.message}; new ${accepted.ok ? "accepted" : accepted.message}`);
    }
    const result = {
        upSeconds: up.seconds,
        samples: samples.length,
        samplesWithBothSecrets: both,
        oldSecret,
        newSecret,
        commitToAppliedSeconds: commitToApplied,
    };
    console.log(
        `deploy key rotation: pulumi up in ${up.seconds.toFixed(1)} s; GitRepository Ready in all ${samples.length} samples (every 100 ms), always on an existing Secret ` +
            `(${both} samples saw both); the engine created ${newSecret}, updated the GitRepository, then deleted ${oldSecret}; ` +
            `old key removed from the server and refused (${refused.message.split("\n").find((l) => /Permission denied/.test(l))}); a commit right after applied in ${commitToApplied.toFixed(1)} s`,
    );
    return result;
}
