/**
 * The pull-request comment the preview workflow posts: `pulumi preview --diff` as Pulumi printed it,
 * the summary of counts, and what Flux will apply that Pulumi cannot see (the kustomize render of the
 * sync path at the config repository's base and head). Pure: the caller runs the CLI and kustomize.
 */
import { countsLine, fieldChanges, previewCounts, stripAnsi, type FieldChange, type PreviewCounts } from "./preview-diff.js";
import { findSecrets, redact } from "./redaction.js";
import { unifiedDiff } from "./unified-diff.js";

/** The first line of every preview comment, so the workflow finds and updates its own comment. */
export const COMMENT_MARKER = "<!-- eks-flux-gitops:preview -->";
/** GitHub refuses comments over 65,536 characters. */
export const MAX_COMMENT_LENGTH = 60_000;

/** The sync path rendered by kustomize at two commits of the config repository. */
export interface FluxRender {
    /** The sync path in the config repository, e.g. `app/overlays/prod`. */
    path: string;
    base: { ref: string; render: string };
    head: { ref: string; render: string };
}

export interface PreviewCommentInput {
    /** stdout and stderr of `pulumi preview --diff`, colours and all. */
    output: string;
    /** Its exit code; a failed preview is said so at the top. @default 0 */
    exitCode?: number;
    /** The stack's name, for the heading. */
    stack: string;
    /** Values that must never appear (keys, tokens, kubeconfig): replaced by `[secret]` if they do. */
    secrets: readonly string[];
    /** What Flux will apply; omitted when the workflow had no config repository to render. */
    flux?: FluxRender;
    /** @default MAX_COMMENT_LENGTH */
    maxLength?: number;
}

export interface PreviewComment {
    body: string;
    counts: PreviewCounts;
    /** Values the defensive pass replaced; 0 unless Pulumi or a render printed a secret. */
    redactions: number;
    /** Lines the kustomize diff adds or removes (0 when the render is unchanged or was not made). */
    fluxChangedLines: number;
}

/** A fence longer than any run of backticks in `text`. */
function fence(text: string): string {
    const longest = Math.max(2, ...[...text.matchAll(/`+/g)].map((m) => m[0].length));
    return "`".repeat(longest + 1);
}

function codeBlock(language: string, text: string): string {
    const f = fence(text);
    return `${f}${language}\n${text.replace(/\n$/, "")}\n${f}`;
}

/** Moves Pulumi's step markers (`+`, `-`, `~`, `+-`) to the start of the line, where GitHub's diff highlighting reads them. */
function diffHighlighted(text: string): string {
    return text
        .split("\n")
        .map((line) => line.replace(/^(\s+)(\+-|\+\+|--|[+~-])(?=\s)/, (_m, indent: string, marker: string) => marker + indent))
        .join("\n");
}

function truncate(text: string, limit: number): string {
    if (text.length <= limit) {
        return text;
    }
    const cut = text.lastIndexOf("\n", limit);
    return `${text.slice(0, cut > 0 ? cut : limit)}\n… (truncated: ${text.length - limit} more characters in the workflow's log)`;
}

/** Builds the comment body; every part goes through the redaction pass before it is placed. */
export function previewComment(input: PreviewCommentInput): PreviewComment {
    const limit = input.maxLength ?? MAX_COMMENT_LENGTH;
    let redactions = 0;
    const clean = (text: string) => {
        const result = redact(text, input.secrets);
        redactions += result.redactions;
        return result.text;
    };
    const preview = clean(stripAnsi(input.output)).trim();
    const counts = previewCounts(preview);
    const exitCode = input.exitCode ?? 0;

    const head = [COMMENT_MARKER, `### \`pulumi preview --diff\` of stack \`${input.stack}\``, ""];
    head.push(exitCode === 0 ? `**Plan:** ${countsLine(counts)}` : `**The preview failed** (exit code ${exitCode}); its output:`);

    let flux: string[] = [];
    let fluxChangedLines = 0;
    if (input.flux) {
        const { path, base, head: after } = input.flux;
        const diff = clean(unifiedDiff(base.render, after.render, `${base.ref}/${path}`, `${after.ref}/${path}`));
        fluxChangedLines = diff.split("\n").slice(2).filter((line) => /^[+-]/.test(line)).length;
        flux = [
            "",
            "#### What Flux will apply",
            "",
            diff === ""
                ? `\`kustomize build ${path}\` renders the same at the config repository's base (\`${base.ref}\`) and head (\`${after.ref}\`): Flux applies nothing new from Git.`
                : `\`kustomize build ${path}\` of the config repository, base (\`${base.ref}\`) against head (\`${after.ref}\`): what Flux will apply, which Pulumi does not see.\n\n${codeBlock("diff", truncate(diff, Math.floor(limit / 3)))}`,
        ];
    }
    const note = redactions > 0 ? ["", `_${redactions} value(s) that looked secret were replaced by \`[secret]\` before posting._`] : [];
    const compose = (diff: string) => [...head, "", codeBlock("diff", diff), ...flux, ...note].join("\n") + "\n";
    // Room for the fence's backticks and the truncation note besides what compose("") holds.
    const room = limit - compose("").length - 2 * fence(preview).length - 100;
    const body = compose(truncate(diffHighlighted(preview), Math.max(1000, room)));
    const left = findSecrets(body, input.secrets);
    if (left.length > 0) {
        throw new Error(`the comment still holds ${left.join(", ")} after redaction`);
    }
    return { body, counts, redactions, fluxChangedLines };
}

/** What a comment must name: a field a resource step changes, with its old and new value. */
export interface ExpectedChange {
    resourceType: string;
    /** Dotted path (`spec.policy.semver.range`) or its last key (`range`). */
    field: string;
    old: string;
    new: string;
    /** The resource's logical name, when several of the type change. */
    name?: string;
}

/**
 * The field change the comment names, or an error listing the changes it does name. Pass the
 * redacted body: the error quotes the changed fields of the matching resources.
 */
export function assertCommentNames(body: string, expected: ExpectedChange): FieldChange {
    const changes = fieldChanges(body);
    const ofResource = changes.filter((c) => c.resourceType === expected.resourceType && (expected.name === undefined || c.name === expected.name));
    const match = ofResource.find(
        (c) => (c.field === expected.field || c.field.endsWith(`.${expected.field}`)) && c.old === expected.old && c.new === expected.new,
    );
    if (!match) {
        const named = ofResource.map((c) => `${c.name} ${c.field}: ${c.old} => ${c.new}`);
        throw new Error(
            `the preview comment does not name ${expected.resourceType}${expected.name ? ` ${expected.name}` : ""} ${expected.field}: ${JSON.stringify(expected.old)} => ${JSON.stringify(expected.new)}; ` +
                (named.length > 0 ? `it names ${named.join("; ")}` : `it names no changed field of that type (${changes.length} changed fields in all)`),
        );
    }
    return match;
}
