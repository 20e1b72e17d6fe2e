import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { freePort, type ProcessGroup } from "./processes.js";

export interface GitServer {
    /** The `ssh://user@127.0.0.1:port/path` URL Flux clones. */
    url: string;
    /** Path of the bare repository. */
    bare: string;
    /** The client key pair the server authorises, made with ssh-keygen. */
    privateKey: string;
    publicKey: string;
    /** The server's host key as a known_hosts line. */
    knownHosts: string;
    /** The server's authorized_keys file: the public keys it accepts. */
    authorizedKeys: string;
    /** sshd's log, one "Accepted publickey" line per SSH session. */
    log: string;
}

const LAB_IDENTITY = { GIT_AUTHOR_NAME: "lab", GIT_AUTHOR_EMAIL: "lab@example.com", GIT_COMMITTER_NAME: "lab", GIT_COMMITTER_EMAIL: "lab@example.com" };

export function git(cwd: string, ...args: string[]): string {
    return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...LAB_IDENTITY }, stdio: ["ignore", "pipe", "pipe"] }).trim();
}

/**
 * OpenSSH's sshd on a loopback port, serving one bare repository to one key made here. With
 * `roundTripMs` > 0 its clients reach it through lab/latency-proxy.ts, which adds that round-trip
 * time to every exchange, as a network between the cluster and the Git host would.
 */
export async function startGitServer(group: ProcessGroup, runDir: string, repositoryPath: string, roundTripMs = 0): Promise<GitServer> {
    const dir = `${runDir}/sshd`;
    fs.mkdirSync(dir, { recursive: true });
    const port = await freePort();
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "lab-host", "-f", `${dir}/ssh_host_ed25519_key`]);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "flux-lab", "-f", `${dir}/flux_key`]);
    fs.copyFileSync(`${dir}/flux_key.pub`, `${dir}/authorized_keys`);
    const user = execFileSync("id", ["-un"], { encoding: "utf8" }).trim();
    // sshd runs each Git command through the user's shell, and Debian's bash sources ~/.bashrc when
    // started by sshd; on the lab machines root's ~/.bashrc runs `pyenv init`, 0.5 s per SSH session that
    // a Git host never spends. An empty home of the server's own keeps the sessions to Git's cost.
    fs.mkdirSync(`${dir}/home`, { recursive: true });
    fs.writeFileSync(
        `${dir}/sshd_config`,
        [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            `HostKey ${dir}/ssh_host_ed25519_key`,
            `AuthorizedKeysFile ${dir}/authorized_keys`,
            `PidFile ${dir}/sshd.pid`,
            `AllowUsers ${user}`,
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            `SetEnv HOME=${dir}/home`,
            "",
        ].join("\n"),
    );
    if (!fs.existsSync("/run/sshd")) {
        throw new Error("sshd needs its privilege-separation directory /run/sshd: run the lab through npm run e2e, which makes it");
    }
    group.start("sshd", "/usr/sbin/sshd", ["-D", "-e", "-f", `${dir}/sshd_config`], { ports: [port] });

    const bare = path.join(runDir, "git", `${repositoryPath}.git`);
    fs.mkdirSync(bare, { recursive: true });
    git(bare, "init", "--quiet", "--bare", "--initial-branch=main");
    await group.waitForListening("sshd", port);
    let served = port;
    if (roundTripMs > 0) {
        served = await freePort();
        const proxy = path.join(path.dirname(fileURLToPath(import.meta.url)), "latency-proxy.ts");
        group.start("latency-proxy", process.execPath, [proxy, String(served), String(port), String(roundTripMs)], { ports: [served] });
        await group.waitForListening("the latency proxy", served);
    }
    const hostKey = fs.readFileSync(`${dir}/ssh_host_ed25519_key.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    return {
        url: `ssh://${user}@127.0.0.1:${served}${bare}`,
        bare,
        privateKey: fs.readFileSync(`${dir}/flux_key`, "utf8"),
        publicKey: fs.readFileSync(`${dir}/flux_key.pub`, "utf8").trim(),
        knownHosts: `[127.0.0.1]:${served} ${hostKey}\n`,
        authorizedKeys: `${dir}/authorized_keys`,
        log: group.logFile("sshd"),
    };
}

/**
 * Makes the bare repository behave like GitHub with a push webhook: after every push (the lab's and
 * Flux's own, over SSH) a post-receive hook sends GitHub's `push` event, signed with the webhook
 * secret in X-Hub-Signature-256, to `url`. Each delivery's HTTP status is appended to `log`.
 */
export function installPushWebhook(bare: string, url: string, secret: string, log: string): void {
    const secretFile = path.join(bare, "webhook-secret");
    fs.writeFileSync(secretFile, secret, { mode: 0o600 });
    const hook = path.join(bare, "hooks", "post-receive");
    fs.writeFileSync(
        hook,
        `#!/bin/sh
while read -r before after ref; do
  body=$(printf '{"ref":"%s","before":"%s","after":"%s","repository":{"name":"lab"}}' "$ref" "$before" "$after")
  signature=$(printf '%s' "$body" | openssl dgst -sha256 -hmac "$(cat '${secretFile}')" -r | cut -d' ' -f1)
  status=$(curl -sS -m 10 -o /dev/null -w '%{http_code}' -X POST \\
    -H 'Content-Type: application/json' -H 'X-GitHub-Event: push' \\
    -H "X-GitHub-Delivery: $(date +%s%N)" -H "X-Hub-Signature-256: sha256=$signature" \\
    --data-binary "$body" '${url}') || status=failed
  echo "$(date +%s%3N) $ref $after $status" >> '${log}'
done
`,
        { mode: 0o755 },
    );
}

/** Lets the server accept `publicKey` too, as adding a deploy key on GitHub does. */
export function authorizeKey(server: GitServer, publicKey: string): void {
    fs.appendFileSync(server.authorizedKeys, `${publicKey.trim()}\n`);
}

/** Stops the server accepting `publicKey`, as deleting a deploy key on GitHub does. */
export function revokeKey(server: GitServer, publicKey: string): void {
    const blob = publicKey.trim().split(/\s+/)[1];
    const kept = fs.readFileSync(server.authorizedKeys, "utf8").split("\n").filter((line) => line.trim() !== "" && line.split(/\s+/)[1] !== blob);
    fs.writeFileSync(server.authorizedKeys, kept.map((line) => `${line}\n`).join(""));
}

/** Whether the server lets `privateKeyFile` read the repository over SSH, and what ssh said when it did not. */
export function canFetch(server: GitServer, privateKeyFile: string, knownHostsFile: string): { ok: boolean; message: string } {
    const ssh = `ssh -i ${privateKeyFile} -o IdentitiesOnly=yes -o BatchMode=yes -o UserKnownHostsFile=${knownHostsFile} -o StrictHostKeyChecking=yes`;
    try {
        execFileSync("git", ["ls-remote", "--heads", server.url], { env: { ...process.env, GIT_SSH_COMMAND: ssh }, stdio: ["ignore", "pipe", "pipe"], encoding: "utf8" });
        return { ok: true, message: "" };
    } catch (error) {
        return { ok: false, message: String((error as { stderr?: string }).stderr ?? error).trim() };
    }
}

/** How many SSH sessions the server has accepted so far: each costs its round trips on a real network. */
export function sshSessions(server: GitServer): number {
    return fs.readFileSync(server.log, "utf8").split("\n").filter((line) => line.startsWith("Accepted publickey")).length;
}

/** A clone the lab commits to, as a developer would. */
export function cloneWorkspace(bare: string, dir: string): string {
    execFileSync("git", ["clone", "--quiet", bare, dir], { stdio: ["ignore", "pipe", "pipe"] });
    return dir;
}
