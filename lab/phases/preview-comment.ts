import * as fs from "node:fs";
import * as path from "node:path";
import type { PulumiResult } from "../engine/pulumi-cli.js";
import { findSecrets, redact } from "../../stack/redaction.js";
import { assertCommentNames, previewComment, type ExpectedChange } from "../../stack/preview-comment.js";
import type { FieldChange } from "../../stack/preview-diff.js";
import { renderSyncPath } from "../../stack/sync-render.js";
import type { LabContext } from "../context.js";
import type { GitServer } from "../git-server.js";

export interface PreviewCommentCheck {
    /** File name of the comment, without `.md`: `range-change`, `receiver-token`. */
    name: string;
    /** What `stack.preview("--diff")` returned. */
    preview: PulumiResult;
    /** The field the comment must name, with its old and new value as printed (`[secret]` for a secret). */
    expect: ExpectedChange;
    /** Every secret value in play (deploy keys, tokens, the kubeconfig): none may appear. */
    secrets: readonly string[];
    /** Commits of the config repository (ctx.server.bare) whose sync-path renders are compared. */
    base: string;
    head: string;
    /** @default "app/overlays/prod" */
    syncPath?: string;
}

export interface PreviewCommentFigures {
    /** `${runDir}/preview-comments/<name>.md`. */
    file: string;
    counts: Record<string, number>;
    named: FieldChange;
    fluxChangedLines: number;
    previewSeconds: number;
}

/**
 * Writes the comment the preview workflow would post for a real `pulumi preview --diff`, and fails
 * unless the preview passed, Pulumi masked every secret itself (the defensive pass had nothing to do)
 * and the comment names the expected field with its old and new value. Errors never show a secret.
 */
export function checkPreviewComment(ctx: Pick<LabContext, "runDir"> & { server: Pick<GitServer, "bare"> }, check: PreviewCommentCheck): PreviewCommentFigures {
    const dir = path.join(ctx.runDir, "preview-comments");
    fs.mkdirSync(dir, { recursive: true });
    const file = path.join(dir, `${check.name}.md`);
    const tail = () => redact(check.preview.output, check.secrets).text.split("\n").slice(-40).join("\n");
    if (check.preview.code !== 0) {
        throw new Error(`pulumi preview --diff (${check.name}) exited ${check.preview.code}:\n${tail()}`);
    }
    const leaked = findSecrets(check.preview.output, check.secrets);
    const syncPath = check.syncPath ?? "app/overlays/prod";
    const base = renderSyncPath(ctx.server.bare, check.base, syncPath);
    const head = renderSyncPath(ctx.server.bare, check.head, syncPath);
    const comment = previewComment({
        output: check.preview.output,
        stack: "lab",
        secrets: check.secrets,
        flux: { path: syncPath, base: { ref: base.commit.slice(0, 7), render: base.render }, head: { ref: head.commit.slice(0, 7), render: head.render } },
    });
    fs.writeFileSync(file, comment.body);
    if (leaked.length > 0 || comment.redactions > 0) {
        throw new Error(
            `pulumi preview --diff (${check.name}) printed what must be masked: ${leaked.length > 0 ? leaked.join(", ") : "no given secret"}; ` +
                `the comment's defensive pass replaced ${comment.redactions} value(s) (see ${file}, redacted)`,
        );
    }
    const named = assertCommentNames(comment.body, check.expect);
    return { file, counts: comment.counts, named, fluxChangedLines: comment.fluxChangedLines, previewSeconds: check.preview.seconds };
}
