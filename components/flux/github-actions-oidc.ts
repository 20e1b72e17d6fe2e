import type { Problem } from "../validate.js";

/** The issuer of the ID tokens GitHub Actions jobs request (`permissions: id-token: write`). */
export const GITHUB_ACTIONS_ISSUER = "https://token.actions.githubusercontent.com";

/** The audience notification-controller expects when a provider names none. */
export const DEFAULT_OIDC_AUDIENCE = "notification-controller";

/** Which GitHub Actions workflows may call a `generic-oidc` Receiver. */
export interface GitHubActionsCaller {
    /** Repositories (`owner/name`) whose workflows may call; the token's `repository` claim must be one of them. */
    repositories: string[];
    /** Git refs the workflow must run on (the token's `ref` claim). @default ["refs/heads/main"] */
    refs?: string[];
    /** Audience the workflow requests its token for (the token's `aud` claim). @default "notification-controller" */
    audience?: string;
}

/** A Receiver's `spec.oidcProviders[]` entry (notification-controller v1.9). */
export interface OidcProvider {
    issuerURL: string;
    audience: string;
    validations: Array<{ expression: string; message: string }>;
}

const REPOSITORY = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}\/[A-Za-z0-9._-]{1,100}$/;
// Quotes and backslashes would break out of the CEL string literal the ref is written into.
const REF = /^refs\/(heads|tags)\/[^\s'"\\]+$/;

export function checkGitHubActionsCaller(field: string, caller: GitHubActionsCaller): Problem[] {
    const problems: Problem[] = [];
    if (!Array.isArray(caller.repositories) || caller.repositories.length === 0) {
        problems.push({ field: `${field}.repositories`, value: caller.repositories ?? null, rule: "must list at least one owner/name repository: any GitHub user can get a token from this issuer" });
    }
    (caller.repositories ?? []).forEach((repository, i) => {
        if (!REPOSITORY.test(repository)) {
            problems.push({ field: `${field}.repositories[${i}]`, value: repository, rule: "must be a GitHub repository as owner/name, such as my-org/task-service" });
        }
    });
    const refs = caller.refs ?? ["refs/heads/main"];
    if (refs.length === 0) {
        problems.push({ field: `${field}.refs`, value: [], rule: "must list at least one ref, such as refs/heads/main" });
    }
    refs.forEach((ref, i) => {
        if (!REF.test(ref)) {
            problems.push({ field: `${field}.refs[${i}]`, value: ref, rule: "must be a full Git ref such as refs/heads/main or refs/tags/v1.2.3, without quotes, backslashes or spaces" });
        }
    });
    if (caller.audience !== undefined && !/^[^\s'"\\]+$/.test(caller.audience)) {
        problems.push({ field: `${field}.audience`, value: caller.audience, rule: "must be a non-empty audience without quotes, backslashes or spaces" });
    }
    return problems;
}

const celList = (values: readonly string[]) => `[${values.map((v) => `'${v}'`).join(", ")}]`;

/**
 * The OIDC provider entry that admits GitHub Actions ID tokens from the given repositories and refs
 * only: a valid signature alone would admit any workflow on GitHub.
 */
export function githubActionsOidcProvider(caller: GitHubActionsCaller): OidcProvider {
    const refs = caller.refs ?? ["refs/heads/main"];
    return {
        issuerURL: GITHUB_ACTIONS_ISSUER,
        audience: caller.audience ?? DEFAULT_OIDC_AUDIENCE,
        validations: [
            { expression: `claims.repository in ${celList(caller.repositories)}`, message: `only workflows of ${caller.repositories.join(", ")} may trigger an image scan` },
            { expression: `claims.ref in ${celList(refs)}`, message: `only workflows running on ${refs.join(", ")} may trigger an image scan` },
        ],
    };
}
