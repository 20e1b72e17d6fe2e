/**
 * The preview workflow's comment: `npm run preview-comment -- --preview FILE --out FILE [--exit-code N]
 * [--stack NAME] [--secret-env NAME ...] [--config-repo DIR --base REF --head REF --path PATH]`.
 * Reads the saved output of `pulumi preview --diff`, renders the sync path of a config repository
 * checkout with kustomize at the base and the head, and writes the Markdown body
 * (stack/preview-comment.ts). Secret values are named by environment variable, never passed as
 * arguments.
 */
import * as fs from "node:fs";
import { parseArgs } from "node:util";
import { previewComment, type FluxRender } from "../stack/preview-comment.js";
import { MIN_SECRET_LENGTH } from "../stack/redaction.js";
import { renderSyncPath } from "../stack/sync-render.js";

function fail(message: string): never {
    console.error(`preview-comment: ${message}`);
    process.exit(1);
}

function readFlags() {
    try {
        return parseArgs({
            options: {
                preview: { type: "string" },
                out: { type: "string" },
                "exit-code": { type: "string", default: "0" },
                stack: { type: "string", default: "prod" },
                "secret-env": { type: "string", multiple: true, default: [] },
                "config-repo": { type: "string" },
                base: { type: "string" },
                head: { type: "string" },
                path: { type: "string" },
            },
        }).values;
    } catch (error) {
        return fail(`${(error as Error).message}; options: --preview FILE --out FILE --exit-code N --stack NAME --secret-env NAME --config-repo DIR --base REF --head REF --path PATH`);
    }
}

function fluxRender(flags: ReturnType<typeof readFlags>): FluxRender | undefined {
    const repo = flags["config-repo"];
    if (!repo) {
        return undefined;
    }
    if (!flags.base || !flags.head || !flags.path) {
        return fail("--config-repo needs --base REF, --head REF and --path PATH (the sync path in the config repository)");
    }
    const label = (commit: string, exists: boolean) => `${commit.slice(0, 7)}${exists ? "" : ", no such path"}`;
    const base = renderSyncPath(repo, flags.base, flags.path);
    const head = renderSyncPath(repo, flags.head, flags.path);
    return {
        path: flags.path.replace(/^\.\//, ""),
        base: { ref: label(base.commit, base.exists), render: base.render },
        head: { ref: label(head.commit, head.exists), render: head.render },
    };
}

const flags = readFlags();
if (!flags.preview || !flags.out) {
    fail("--preview FILE (the saved output of pulumi preview --diff) and --out FILE are required");
}
const exitCode = Number(flags["exit-code"]);
if (!Number.isInteger(exitCode)) {
    fail(`--exit-code ${flags["exit-code"]}: not an integer`);
}
const secrets: string[] = [];
for (const name of flags["secret-env"]!) {
    const value = process.env[name]?.trim() ?? "";
    if (value.length >= MIN_SECRET_LENGTH) {
        secrets.push(value);
    } else if (value !== "") {
        console.warn(`preview-comment: $${name} is shorter than ${MIN_SECRET_LENGTH} characters; not searched for (redacting it would mangle ordinary text)`);
    }
}
let comment;
try {
    comment = previewComment({ output: fs.readFileSync(flags.preview, "utf8"), exitCode, stack: flags.stack!, secrets, flux: fluxRender(flags) });
} catch (error) {
    fail((error as Error).message);
}
fs.writeFileSync(flags.out, comment.body);
console.log(
    `preview-comment: ${flags.out}, ${comment.body.length} characters; counts ${JSON.stringify(comment.counts)}; kustomize diff: ${comment.fluxChangedLines} lines changed` +
        (comment.redactions > 0 ? `; WARNING: ${comment.redactions} value(s) that looked secret were redacted` : ""),
);
