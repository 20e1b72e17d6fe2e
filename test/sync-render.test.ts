import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { seedAppFiles } from "../components/index.js";
import { renderSyncPath } from "../stack/sync-render.js";

const KUSTOMIZE_BUILT = fs.existsSync(new URL("../.cache/tools/kustomize-v5.8.1", import.meta.url));
const IDENTITY = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };

describe("sync path render", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "sync-render-test-"));
    const work = path.join(root, "work");
    const bare = path.join(root, "config.git");
    const git = (cwd: string, ...args: string[]) => execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...IDENTITY } }).trim();
    const commit = (files: Record<string, string>, message: string) => {
        for (const [file, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
            fs.writeFileSync(path.join(work, file), content);
        }
        git(work, "add", ".");
        git(work, "commit", "--quiet", "-m", message);
        git(work, "push", "--quiet", "origin", "main");
        return git(work, "rev-parse", "HEAD");
    };
    const images = (tag: string) => ({ apps: [{ name: "task-service", image: "127.0.0.1:5000/mamezou-tech/task-service", tag }] });
    let empty: string;
    let seeded: string;
    let bumped: string;

    before(() => {
        fs.mkdirSync(work);
        git(root, "init", "--quiet", "--bare", "--initial-branch=main", bare);
        git(work, "init", "--quiet", "--initial-branch=main");
        git(work, "remote", "add", "origin", bare);
        empty = commit({ "README.md": "config\n" }, "empty");
        seeded = commit(seedAppFiles(images("1.1.1")), "seed");
        bumped = commit(seedAppFiles(images("1.2.0")), "bump");
    });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    // A stand-in for kustomize: the overlay's kustomization as it is at that commit.
    const cat = (dir: string) => fs.readFileSync(path.join(dir, "kustomization.yaml"), "utf8");

    it("reads the tree of each commit of a bare repository", () => {
        const base = renderSyncPath(bare, seeded, "./app/overlays/prod", { build: cat });
        const head = renderSyncPath(bare, "main", "app/overlays/prod", { build: cat });
        assert.equal(base.commit, seeded);
        assert.equal(head.commit, bumped);
        assert.match(base.render, /newTag: 1\.1\.1/);
        assert.match(head.render, /newTag: 1\.2\.0/);
    });

    it("writes overlay files over the commit's tree", () => {
        const files = seedAppFiles(images("9.9.9"));
        const overlay = Object.fromEntries(Object.entries(files).filter(([file]) => file.startsWith("app/overlays/")));
        assert.match(renderSyncPath(bare, seeded, "app/overlays/prod", { overlay, build: cat }).render, /newTag: 9\.9\.9/);
        assert.throws(() => renderSyncPath(bare, seeded, "app/overlays/prod", { overlay: { "../escape": "x" }, build: cat }), /outside the repository/);
    });

    it("says when the path does not exist, and refuses paths outside the repository or without a kustomization", () => {
        assert.deepEqual(renderSyncPath(bare, empty, "app/overlays/prod", { build: cat }), { commit: empty, render: "", exists: false });
        assert.throws(() => renderSyncPath(bare, seeded, "../elsewhere", { build: cat }), /outside the repository/);
        assert.throws(() => renderSyncPath(bare, seeded, "app", { build: cat }), /app at [0-9a-f]{7} has no kustomization\.yaml/);
    });

    (KUSTOMIZE_BUILT ? it : it.skip)("renders with the project's kustomize (built by scripts/kustomize.sh)", () => {
        const base = renderSyncPath(bare, seeded, "app/overlays/prod");
        const head = renderSyncPath(bare, bumped, "app/overlays/prod");
        assert.match(base.render, /^kind: Deployment$/m);
        assert.match(base.render, /image: 127\.0\.0\.1:5000\/mamezou-tech\/task-service:1\.1\.1$/m);
        assert.match(head.render, /image: 127\.0\.0\.1:5000\/mamezou-tech\/task-service:1\.2\.0$/m);
    });
});
