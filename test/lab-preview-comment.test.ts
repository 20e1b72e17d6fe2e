import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { seedAppFiles } from "../components/index.js";
import { checkPreviewComment, type PreviewCommentCheck } from "../lab/phases/preview-comment.js";
import { ScratchGitRepository } from "../testing/scratch-git.js";

const KUSTOMIZE_BUILT = fs.existsSync(new URL("../.cache/tools/kustomize-v5.8.1", import.meta.url));
const TOKEN = "9d2f7c0b1a8e4d6f3c5b7a9e1d3f5b7c9e1a3c5d";

// Runs kustomize for real, so only where scripts/kustomize.sh has built it (npm run check:plan does).
(KUSTOMIZE_BUILT ? describe : describe.skip)("lab: the preview comment of a real preview", () => {
    const repository = new ScratchGitRepository("lab-preview-comment-");
    const runDir = repository.root;
    const bare = repository.bare;
    const commit = (tag: string) => repository.commit(seedAppFiles({ apps: [{ name: "task-service", image: "127.0.0.1:5000/mamezou-tech/task-service", tag }] }), tag);
    let base: string;
    let head: string;
    before(() => {
        base = commit("1.1.1");
        head = commit("1.2.0");
    });
    after(() => repository.remove());

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
