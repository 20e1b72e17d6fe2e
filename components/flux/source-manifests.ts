import { createHash } from "node:crypto";
import { validateKubernetesObject } from "../kubernetes-schema.js";
import type { Problem } from "../validate.js";
import type { KubernetesObject } from "./install-manifests.js";

export interface GitSshUrl {
    user: string;
    host: string;
    port?: number;
    path: string;
}

/** Parses `ssh://user@host[:port]/path`, the only SSH form Flux's GitRepository accepts. */
export function parseGitSshUrl(url: string): GitSshUrl | undefined {
    const match = /^ssh:\/\/([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+|\[[0-9a-fA-F:]+\])(?::(\d{1,5}))?\/(.+)$/.exec(url);
    if (!match) {
        return undefined;
    }
    return { user: match[1], host: match[2], ...(match[3] ? { port: Number(match[3]) } : {}), path: match[4] };
}

/** Checks a Git URL for an SSH key: ssh:// form, with the scp-like form turned into a suggestion. */
export function checkGitSshUrl(field: string, url: string): Problem | undefined {
    if (parseGitSshUrl(url)) {
        return undefined;
    }
    const scp = /^([A-Za-z0-9._-]+)@([A-Za-z0-9.-]+):(.+)$/.exec(url);
    if (scp) {
        return { field, value: url, rule: `is the scp-like form, which Flux does not accept; write ssh://${scp[1]}@${scp[2]}/${scp[3]}` };
    }
    if (/^https?:\/\//.test(url)) {
        return { field, value: url, rule: "is an HTTP(S) URL, but an SSH key is given: Flux uses the key only over SSH; write ssh://git@<host>/<owner>/<repo>" };
    }
    return { field, value: url, rule: "must be an SSH URL of the form ssh://git@<host>[:port]/<owner>/<repo>" };
}

export interface GitSecretInput {
    name: string;
    namespace: string;
    identity: string;
    identityPub: string;
    knownHosts: string;
}

/** The Secret Flux's GitRepository reads an SSH key and the host keys from. */
export function gitSshSecret(input: GitSecretInput): KubernetesObject {
    const secret: KubernetesObject = {
        apiVersion: "v1",
        kind: "Secret",
        metadata: { name: input.name, namespace: input.namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } },
        type: "Opaque",
        stringData: { identity: input.identity, "identity.pub": input.identityPub, known_hosts: input.knownHosts },
    };
    validateKubernetesObject(`Secret ${input.name}`, secret);
    return secret;
}

export interface GitRepositoryInput {
    name: string;
    namespace: string;
    url: string;
    branch: string;
    interval: string;
    secretName: string;
    timeout?: string;
    annotations?: Record<string, string>;
}

export function gitRepository(input: GitRepositoryInput): KubernetesObject {
    const object: KubernetesObject = {
        apiVersion: "source.toolkit.fluxcd.io/v1",
        kind: "GitRepository",
        metadata: { name: input.name, namespace: input.namespace, ...(input.annotations ? { annotations: input.annotations } : {}) },
        spec: {
            url: input.url,
            ref: { branch: input.branch },
            interval: input.interval,
            secretRef: { name: input.secretName },
            ...(input.timeout ? { timeout: input.timeout } : {}),
        },
    };
    validateKubernetesObject(`GitRepository ${input.name}`, object);
    return object;
}

/**
 * A fingerprint of the SSH Secret's content, as the GitRepository's `reconcile.fluxcd.io/requestedAt`:
 * source-controller does not watch Secrets and backs off exponentially after failed clones, so a new
 * key or known_hosts would otherwise wait for its next retry, minutes later. A changed value makes
 * Flux reconcile at once, and the Ready wait sees the result. A hash of a key reveals nothing of it.
 */
export function secretRevision(stringData: Record<string, string>): string {
    const canonical = JSON.stringify(Object.keys(stringData).sort().map((key) => [key, stringData[key]]));
    return `ssh-secret-${createHash("sha256").update(canonical).digest("hex").slice(0, 16)}`;
}
