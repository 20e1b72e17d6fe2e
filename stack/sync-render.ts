/**
 * What Flux applies from a commit of the config repository: `kustomize build` of the sync path, with
 * the project's one kustomize (scripts/kustomize.sh), as kustomize-controller builds it (no load
 * restrictions inside the checkout, no plugins).
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";

const KUSTOMIZE = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../scripts/kustomize.sh");
const KUSTOMIZATION_FILES = ["kustomization.yaml", "kustomization.yml", "Kustomization"];

/** Runs the project's kustomize (built on first use) with `args`; returns its stdout. */
export function kustomize(args: string[]): string {
    return execFileSync("bash", [KUSTOMIZE, ...args], { encoding: "utf8", maxBuffer: 256 * 1024 * 1024, stdio: ["ignore", "pipe", "pipe"] });
}

export interface SyncRender {
    /** The commit `ref` named, as a full hash. */
    commit: string;
    /** kustomize's output; empty when the path does not exist at that commit. */
    render: string;
    exists: boolean;
}

export interface RenderOptions {
    /** Files (repository path -> content) written over the commit's tree before rendering. */
    overlay?: Record<string, string>;
    /** Renders a directory. @default `kustomize build --load-restrictor LoadRestrictionsNone <dir>` */
    build?: (dir: string) => string;
}

const kustomizeBuild = (dir: string) => kustomize(["build", "--load-restrictor", "LoadRestrictionsNone", dir]);

/** Renders `syncPath` of `repo` (a bare repository or a checkout) at `ref`, from a copy of that commit's tree. */
export function renderSyncPath(repo: string, ref: string, syncPath: string, { overlay = {}, build = kustomizeBuild }: RenderOptions = {}): SyncRender {
    const relative = path.posix.normalize(syncPath.replace(/^\.\//, ""));
    if (relative.startsWith("..") || path.posix.isAbsolute(relative)) {
        throw new Error(`sync path ${syncPath} is outside the repository`);
    }
    const commit = execFileSync("git", ["-C", repo, "rev-parse", "--verify", `${ref}^{commit}`], { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] }).trim();
    const work = fs.mkdtempSync(path.join(os.tmpdir(), "sync-render-"));
    try {
        const tree = path.join(work, "tree");
        fs.mkdirSync(tree);
        execFileSync("git", ["-C", repo, "archive", "--format=tar", "-o", path.join(work, "tree.tar"), commit], { stdio: ["ignore", "pipe", "pipe"] });
        execFileSync("tar", ["-xf", path.join(work, "tree.tar"), "-C", tree], { stdio: ["ignore", "pipe", "pipe"] });
        for (const [file, content] of Object.entries(overlay)) {
            const target = path.join(tree, file);
            if (!target.startsWith(tree + path.sep)) {
                throw new Error(`overlay file ${file} is outside the repository`);
            }
            fs.mkdirSync(path.dirname(target), { recursive: true });
            fs.writeFileSync(target, content);
        }
        const dir = path.join(tree, relative);
        if (!fs.existsSync(dir)) {
            return { commit, render: "", exists: false };
        }
        // kustomize-controller generates a kustomization.yaml where there is none; this renderer does not.
        if (!KUSTOMIZATION_FILES.some((name) => fs.existsSync(path.join(dir, name)))) {
            throw new Error(`${syncPath} at ${commit.slice(0, 7)} has no kustomization.yaml; rendering what Flux would generate for it is not supported`);
        }
        return { commit, render: build(dir), exists: true };
    } finally {
        fs.rmSync(work, { recursive: true, force: true });
    }
}
