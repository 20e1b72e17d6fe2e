import { createHash } from "node:crypto";
import * as github from "@pulumi/github";
import * as pulumi from "@pulumi/pulumi";
import * as tls from "@pulumi/tls";
import { assertValid, checkGitBranch, checkRotation, type Problem } from "../validate.js";
import { checkDeployKeyType, tlsKeyArgs, type DeployKeyType } from "./deploy-key.js";
import { knownHosts } from "./known-hosts.js";

export interface ExistingSshKey {
    /** OpenSSH private key; kept secret. */
    privateKeyOpenssh: pulumi.Input<string>;
    /** The matching `<type> <base64>` public key. */
    publicKeyOpenssh: pulumi.Input<string>;
}

export interface ConfigRepositoryArgs {
    /**
     * GitHub user or organisation that owns the repository. Only the URLs are built from it: GitHub
     * resources go wherever the github provider acts, so pass `{ provider: new github.Provider(..., {
     * owner }) }` in the options (the default provider takes GITHUB_OWNER, else the token's own user).
     */
    owner: string;
    /** Repository name. */
    name: string;
    /** Use this existing repository instead of creating one. @default false: create it */
    existing?: boolean;
    /** Branch Flux reads and image automation pushes to; made the default branch. @default "main" */
    branch?: string;
    /** Description of a created repository. @default a sentence naming Flux */
    description?: string;
    /** Archive instead of deleting a created repository on `pulumi destroy` (Git history is user data). @default true */
    archiveOnDestroy?: boolean;
    /** Let the deploy key push: needed when Flux image automation commits tags. @default false (read-only) */
    allowPush?: boolean;
    /** Type of the generated deploy key. @default { algorithm: "ed25519" } */
    keyType?: DeployKeyType;
    /** Use this key pair instead of generating one; to rotate it, pass the new pair and raise keyRotation. @default a key generated with @pulumi/tls */
    existingKey?: ExistingSshKey;
    /**
     * Raise by one to rotate the deploy key with one `pulumi up`: a new key pair (generated, or the
     * existingKey now passed) is registered on GitHub as a new deploy key before anything else changes,
     * Flux's Secret and GitRepository switch to it, and only then are the old deploy key and key pair
     * deleted, so Flux never loses access. @default 0
     */
    keyRotation?: number;
    /** SSH host of the GitHub instance, for GitHub Enterprise Server. @default "github.com" */
    host?: string;
    /** Files to commit, path → content. @default none */
    files?: Record<string, pulumi.Input<string>>;
    /**
     * Path prefixes whose files Pulumi commits once and then leaves to Git, e.g. the folder Flux image
     * automation rewrites, so `pulumi up` never reverts a tag Flux committed. @default none
     */
    gitOwnedPaths?: string[];
    /** Author of Pulumi's commits. @default "eks-flux-gitops <eks-flux-gitops@users.noreply.github.com>" */
    commitAuthor?: { name: string; email: string };
    /**
     * Keep Pulumi from deleting a created repository (`protect`): removing it from the program then
     * fails at preview instead of archiving or deleting the Git history. Renaming it is an in-place
     * rename and stays allowed. @default true
     */
    protect?: boolean;
}

const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/;
const HOST = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/;

export function checkConfigRepositoryArgs(args: ConfigRepositoryArgs): Problem[] {
    const problems: Problem[] = [];
    const rule = (ok: boolean, field: string, value: unknown, text: string) => {
        if (!ok) {
            problems.push({ field, value, rule: text });
        }
    };
    rule(GITHUB_OWNER.test(args.owner), "owner", args.owner, "must be a GitHub user or organisation name: 1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen");
    rule(
        GITHUB_REPOSITORY.test(args.name) && args.name !== "." && args.name !== ".." && !args.name.endsWith(".git"),
        "name",
        args.name,
        "must be a GitHub repository name: 1 to 100 letters, digits, '.', '_' or '-', not '.', '..' or ending in .git",
    );
    const branch = args.branch ?? "main";
    const branchProblem = checkGitBranch("branch", branch);
    if (branchProblem) {
        problems.push(branchProblem);
    }
    rule(HOST.test(args.host ?? "github.com"), "host", args.host, "must be a lowercase DNS host name such as github.example.com");
    if (!args.existingKey) {
        problems.push(...checkDeployKeyType("keyType", args.keyType ?? { algorithm: "ed25519" }));
    }
    const rotation = checkRotation("keyRotation", args.keyRotation);
    if (rotation) {
        problems.push(rotation);
    }
    for (const file of Object.keys(args.files ?? {})) {
        rule(
            file !== "" && !file.startsWith("/") && !file.split("/").some((part) => part === ".." || part === "." || part === "") && !file.startsWith(".git/"),
            `files[${JSON.stringify(file)}]`,
            file,
            "must be a relative path inside the repository, without '.', '..' or empty segments, and not under .git/",
        );
    }
    for (const [i, prefix] of (args.gitOwnedPaths ?? []).entries()) {
        rule(!prefix.startsWith("/") && !prefix.split("/").includes(".."), `gitOwnedPaths[${i}]`, prefix, "must be a relative path inside the repository");
    }
    return problems;
}

/**
 * A repository to be created must not already exist archived: `pulumi destroy` archives instead of
 * deleting, so re-creating the stack would otherwise meet GitHub's 422 "name already exists on this
 * account" half way through `pulumi up`. `found` is what github.getRepository read (nothing when absent).
 */
export function checkNotArchived(fullName: string, found: { archived?: boolean } | undefined): Problem | undefined {
    return found?.archived === true
        ? {
              field: "name",
              value: fullName.split("/")[1],
              rule:
                  `repository ${fullName} already exists, archived (pulumi destroy archives rather than deletes): ` +
                  "unarchive it and use it with existing: true, delete or rename it on GitHub, or choose another name",
          }
        : undefined;
}

/** Whether `file` lies under one of `prefixes` (`./app/overlays/prod` and `app/overlays/prod/` alike). */
export function isUnderPath(file: string, prefixes: readonly string[]): boolean {
    return prefixes.some((prefix) => {
        const folder = prefix.replace(/^\.\//, "").replace(/\/+$/, "");
        return folder === "" || folder === "." || file === folder || file.startsWith(`${folder}/`);
    });
}

/**
 * The Git side of GitOps on GitHub: a private config repository (archived, not deleted, on destroy),
 * an SSH deploy key from @pulumi/tls (read-only unless Flux must push), known_hosts from GitHub's
 * published host keys, and optional initial content.
 */
export class ConfigRepository extends pulumi.ComponentResource {
    /** `ssh://git@<host>/<owner>/<repo>`, the form Flux requires. */
    public readonly sshUrl: pulumi.Output<string>;
    public readonly httpsUrl: pulumi.Output<string>;
    public readonly repositoryName: pulumi.Output<string>;
    public readonly fullName: pulumi.Output<string>;
    public readonly defaultBranch: pulumi.Output<string>;
    /** known_hosts content: one line per published host key. */
    public readonly knownHosts: pulumi.Output<string>;
    /** The deploy key's private half; a secret. */
    public readonly privateKeyOpenssh: pulumi.Output<string>;
    public readonly publicKeyOpenssh: pulumi.Output<string>;
    /** SHA256 fingerprint of the deploy key, as GitHub shows it. */
    public readonly deployKeyFingerprint: pulumi.Output<string>;

    constructor(name: string, args: ConfigRepositoryArgs, opts?: pulumi.ComponentResourceOptions) {
        assertValid(`ConfigRepository ${name}`, [checkConfigRepositoryArgs(args)]);
        super("eks-flux-gitops:github:ConfigRepository", name, {}, opts);
        const branch = args.branch ?? "main";
        const host = args.host ?? "github.com";
        const author = args.commitAuthor ?? { name: "eks-flux-gitops", email: "eks-flux-gitops@users.noreply.github.com" };

        const archiveOnDestroy = args.archiveOnDestroy ?? true;
        const fullName = `${args.owner}/${args.name}`;
        const repository = args.existing
            ? undefined
            : new github.Repository(
                  `${name}-repository`,
                  {
                      name: github.getRepositoryOutput({ fullName }, { parent: this }).apply((found) => {
                          assertValid(`ConfigRepository ${name}`, [checkNotArchived(fullName, found)]);
                          return args.name;
                      }),
                      description: args.description ?? "Cluster configuration synced by Flux",
                      visibility: "private",
                      autoInit: true,
                      vulnerabilityAlerts: true,
                      archiveOnDestroy,
                      deleteBranchOnMerge: true,
                      hasWiki: false,
                  },
                  { parent: this, protect: args.protect ?? true },
              );
        const repositoryName: pulumi.Output<string> = repository ? repository.name : pulumi.output(args.name);
        const branchResources: pulumi.Resource[] = [];
        if (repository) {
            if (branch !== "main") {
                branchResources.push(new github.Branch(`${name}-branch`, { repository: repository.name, branch, sourceBranch: "main" }, { parent: this }));
            }
            branchResources.push(
                new github.BranchDefault(`${name}-default-branch`, { repository: repository.name, branch }, { parent: this, dependsOn: [...branchResources] }),
            );
        }

        const rotation = args.keyRotation ?? 0;
        // The trigger is always set: the engine replaces only when a recorded trigger changes.
        const key = args.existingKey
            ? undefined
            : new tls.PrivateKey(`${name}-deploy-key`, tlsKeyArgs(args.keyType ?? { algorithm: "ed25519" }), { parent: this, replacementTrigger: rotation });
        const publicKey = key ? key.publicKeyOpenssh : pulumi.output(args.existingKey!.publicKeyOpenssh);
        new github.RepositoryDeployKey(
            deployKeyName(name, rotation),
            { repository: repositoryName, title: deployKeyTitle(pulumi.getStack(), rotation), key: publicKey.apply((k) => k.trim()), readOnly: !(args.allowPush ?? false) },
            // GitHub refuses a key that is already on the repository, so replacing a deploy key with the
            // same key (a renamed repository, allowPush changed) must remove the old one first. A rotation
            // is a deploy key under a new name instead: created first, the old one deleted at the end.
            { parent: this, deleteBeforeReplace: true },
        );

        const gitOwned = args.gitOwnedPaths ?? [];
        for (const [file, content] of Object.entries(args.files ?? {})) {
            new github.RepositoryFile(
                `${name}-${file}`,
                {
                    repository: repositoryName,
                    branch,
                    file,
                    content,
                    commitMessage: `Add ${file}`,
                    commitAuthor: author.name,
                    commitEmail: author.email,
                    overwriteOnCreate: true,
                },
                // Files under a Git-owned path are created once; later changes belong to Git (e.g. Flux's
                // tag commits), so a later `pulumi up` must not write them back. A renamed repository
                // (GitHub redirects the old name) must not re-create the files either, which would
                // overwrite those commits; and a file dropped from the program stays in Git's history
                // and tree, for a commit to remove.
                {
                    parent: this,
                    dependsOn: branchResources,
                    retainOnDelete: true,
                    ignoreChanges: isUnderPath(file, gitOwned) ? ["content", "repository"] : ["repository"],
                },
            );
        }

        // The provider reads the keys its GitHub instance publishes (api.github.com/meta, or GHES's own).
        const hostKeys = github.getSshKeysOutput({ parent: this }).keys;
        this.sshUrl = pulumi.interpolate`ssh://git@${host}/${args.owner}/${repositoryName}`;
        this.httpsUrl = pulumi.interpolate`https://${host}/${args.owner}/${repositoryName}.git`;
        this.repositoryName = repositoryName;
        this.fullName = pulumi.interpolate`${args.owner}/${repositoryName}`;
        this.defaultBranch = pulumi.output(branch);
        this.knownHosts = hostKeys.apply((keys) => knownHosts(host, keys));
        this.privateKeyOpenssh = pulumi.secret(key ? key.privateKeyOpenssh : pulumi.output(args.existingKey!.privateKeyOpenssh));
        this.publicKeyOpenssh = publicKey;
        this.deployKeyFingerprint = key ? key.publicKeyFingerprintSha256 : publicKey.apply(fingerprintOf);
        this.registerOutputs({
            sshUrl: this.sshUrl,
            httpsUrl: this.httpsUrl,
            knownHosts: this.knownHosts,
            privateKeyOpenssh: this.privateKeyOpenssh,
            deployKeyFingerprint: this.deployKeyFingerprint,
        });
    }
}

/**
 * The Pulumi name of the deploy key of a rotation: `<name>-deploy-key` at 0 (the name it always had),
 * `<name>-deploy-key-r<N>` after. A new name makes the engine create the new deploy key before the old
 * one's deletion, which it runs last, after Flux's Secret and GitRepository have switched keys.
 */
export function deployKeyName(name: string, rotation: number): string {
    return rotation === 0 ? `${name}-deploy-key` : `${name}-deploy-key-r${rotation}`;
}

/** The deploy key's title on GitHub: the stack, and the rotation after the first key. */
export function deployKeyTitle(stack: string, rotation: number): string {
    return rotation === 0 ? `flux (${stack})` : `flux (${stack}, rotation ${rotation})`;
}

/** OpenSSH's SHA256 fingerprint of a `<type> <base64>` public key. */
export function fingerprintOf(publicKey: string): string {
    const blob = Buffer.from(publicKey.trim().split(/\s+/)[1] ?? "", "base64");
    return `SHA256:${createHash("sha256").update(blob).digest("base64").replace(/=+$/, "")}`;
}
