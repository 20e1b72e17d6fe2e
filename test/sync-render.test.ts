import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as path from "node:path";
import { seedAppFiles } from "../components/index.js";
import { renderSyncPath } from "../stack/sync-render.js";
import { ScratchGitRepository } from "../testing/scratch-git.js";

const KUSTOMIZE_BUILT = fs.existsSync(new URL("../.cache/tools/kustomize-v5.8.1", import.meta.url));

describe("sync path render", () => {
    const repository = new ScratchGitRepository("sync-render-test-");
    const bare = repository.bare;
    const commit = (files: Record<string, string>, message: string) => repository.commit(files, message);
    const images = (tag: string) => ({ apps: [{ name: "task-service", image: "127.0.0.1:5000/mamezou-tech/task-service", tag }] });
    let empty: string;
    let seeded: string;
    let bumped: string;

    before(() => {
        empty = commit({ "README.md": "config\n" }, "empty");
        seeded = commit(seedAppFiles(images("1.1.1")), "seed");
        bumped = commit(seedAppFiles(images("1.2.0")), "bump");
    });
    after(() => repository.remove());

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
