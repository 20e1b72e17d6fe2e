import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { seedAppFiles } from "../components/index.js";
import { checkPreviewComment, type PreviewCommentCheck } from "../lab/phases/preview-comment.js";

const KUSTOMIZE_BUILT = fs.existsSync(new URL("../.cache/tools/kustomize-v5.8.1", import.meta.url));
const IDENTITY = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };
const TOKEN = "9d2f7c0b1a8e4d6f3c5b7a9e1d3f5b7c9e1a3c5d";

// Runs kustomize for real, so only where scripts/kustomize.sh has built it (npm run check:plan does).
(KUSTOMIZE_BUILT ? describe : describe.skip)("lab: the preview comment of a real preview", () => {
    const runDir = fs.mkdtempSync(path.join(os.tmpdir(), "lab-preview-comment-"));
    const bare = path.join(runDir, "config.git");
    const work = path.join(runDir, "work");
    const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...IDENTITY } }).trim();
    const commit = (tag: string) => {
        for (const [file, content] of Object.entries(seedAppFiles({ apps: [{ name: "task-service", image: "127.0.0.1:5000/mamezou-tech/task-service", tag }] }))) {
            fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
            fs.writeFileSync(path.join(work, file), content);
        }
        git(work, "add", ".");
        git(work, "commit", "--quiet", "-m", tag);
        git(work, "push", "--quiet", "origin", "main");
        return git(work, "rev-parse", "HEAD");
    };
    let base: string;
    let head: string;
    before(() => {
        git(runDir, "init", "--quiet", "--bare", "--initial-branch=main", bare);
        fs.mkdirSync(work);
        git(work, "init", "--quiet", "--initial-branch=main");
        git(work, "remote", "add", "origin", bare);
        base = commit("1.1.1");
        head = commit("1.2.0");
    });
    after(() => fs.rmSync(runDir, { recursive: true, force: true }));

    const output = fs.readFileSync(new URL("fixtures/preview-range-change.txt", import.meta.url), "utf8");
    const check = (overrides: Partial<PreviewCommentCheck> = {}): PreviewCommentCheck => ({
        name: "range-change",
        preview: { code: 0, output, seconds: 7.9 },
        expect: { resourceType: "kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy", field: "spec.policy.semver.range", old: "1.1.x", new: "1.2.x" },
        secrets: [TOKEN],
        base,
        head,
        ...overrides,
    });

    it("writes the comment, names the field and the kustomize diff", () => {
        const figures = checkPreviewComment({ runDir, server: { bare } }, check());
        assert.equal(figures.file, path.join(runDir, "preview-comments", "range-change.md"));
        assert.deepEqual(figures.counts, { update: 1, unchanged: 43 });
        assert.equal(figures.named.name, "lab-images-task-service-policy");
        assert.equal(figures.fluxChangedLines, 2);
        assert.match(fs.readFileSync(figures.file, "utf8"), /^\+ +image: 127\.0\.0\.1:5000\/mamezou-tech\/task-service:1\.2\.0$/m);
    });

    it("fails when Pulumi printed a secret, without printing it, and keeps the redacted comment", () => {
        const leaking = check({ name: "leak", preview: { code: 0, output: output.replace("Resources:", `  token ${TOKEN}\nResources:`), seconds: 1 } });
        assert.throws(
            () => checkPreviewComment({ runDir, server: { bare } }, leaking),
            (error: Error) => /printed what must be masked: secret #1; the comment's defensive pass replaced 1 value/.test(error.message) && !error.message.includes(TOKEN),
        );
        assert.ok(!fs.readFileSync(path.join(runDir, "preview-comments", "leak.md"), "utf8").includes(TOKEN));
    });

    it("fails on a failed preview or a field the comment does not name", () => {
        const failed = check({ preview: { code: 255, output: `error: ${TOKEN} went wrong`, seconds: 1 } });
        assert.throws(() => checkPreviewComment({ runDir, server: { bare } }, failed), (error: Error) => /exited 255/.test(error.message) && !error.message.includes(TOKEN));
        const wrong = check({ expect: { resourceType: "kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy", field: "range", old: "1.1.x", new: "1.3.x" } });
        assert.throws(() => checkPreviewComment({ runDir, server: { bare } }, wrong), /does not name/);
    });
});
