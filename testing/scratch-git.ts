import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

const IDENTITY = { GIT_AUTHOR_NAME: "t", GIT_AUTHOR_EMAIL: "t@example.com", GIT_COMMITTER_NAME: "t", GIT_COMMITTER_EMAIL: "t@example.com" };

/** A bare repository on branch main and a clone that commits to it, in a temporary folder. */
export class ScratchGitRepository {
    readonly root: string;
    readonly bare: string;
    private readonly work: string;

    constructor(prefix: string) {
        this.root = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
        this.bare = path.join(this.root, "config.git");
        this.work = path.join(this.root, "work");
        fs.mkdirSync(this.work);
        this.git(this.root, "init", "--quiet", "--bare", "--initial-branch=main", this.bare);
        this.git(this.work, "init", "--quiet", "--initial-branch=main");
        this.git(this.work, "remote", "add", "origin", this.bare);
    }

    git(cwd: string, ...args: string[]): string {
        return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, ...IDENTITY } }).trim();
    }

    /** Writes `files`, commits and pushes them; returns the commit. */
    commit(files: Record<string, string>, message: string): string {
        for (const [file, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(this.work, file)), { recursive: true });
            fs.writeFileSync(path.join(this.work, file), content);
        }
        this.git(this.work, "add", ".");
        this.git(this.work, "commit", "--quiet", "-m", message);
        this.git(this.work, "push", "--quiet", "origin", "main");
        return this.git(this.work, "rev-parse", "HEAD");
    }

    remove(): void {
        fs.rmSync(this.root, { recursive: true, force: true });
    }
}
