import * as fs from "node:fs";
import * as path from "node:path";
import { seedAppFiles, updateOverlayKustomization } from "eks-flux-gitops";
import { FLUX_NAMESPACE } from "./app-state.js";
import { cloneWorkspace, git, type GitServer } from "./git-server.js";

export const OVERLAY = "app/overlays/prod/kustomization.yaml";
export const LAB_APPS = ["task-service", "task-reporter", "task-web"];
export const LAB_OWNER = "mamezou-tech";

/** The developer's side of the tutorial: a clone where tags are bumped by hand through the setter-marker writer. */
export class Workspace {
    readonly dir: string;

    constructor(
        private readonly server: GitServer,
        private readonly registry: string,
        dir: string,
    ) {
        this.dir = cloneWorkspace(server.bare, dir);
    }

    private images(tags: Record<string, string>) {
        return LAB_APPS.map((name) => ({
            name,
            image: `${this.registry}/${LAB_OWNER}/${name}`,
            tag: tags[name],
            ...(name === "task-service" ? { policy: { namespace: FLUX_NAMESPACE, name } } : {}),
        }));
    }

    /** Commits the files the stack would commit to a new config repository. */
    seed(): string {
        const files = seedAppFiles({ apps: this.images(Object.fromEntries(LAB_APPS.map((app) => [app, "1.0.0"]))) });
        git(this.dir, "checkout", "--quiet", "-b", "main");
        return this.commit(files, "Seed the task tool");
    }

    /** Pulls (Flux may have committed), writes `files`, commits and pushes; returns the new head. */
    commit(files: Record<string, string>, message: string): string {
        if (git(this.dir, "ls-remote", "--heads", "origin", "main")) {
            git(this.dir, "pull", "--quiet", "--rebase", "origin", "main");
        }
        for (const [file, content] of Object.entries(files)) {
            fs.mkdirSync(path.dirname(path.join(this.dir, file)), { recursive: true });
            fs.writeFileSync(path.join(this.dir, file), content);
        }
        git(this.dir, "add", ".");
        git(this.dir, "commit", "--quiet", "-m", message);
        git(this.dir, "push", "--quiet", "origin", "main");
        return git(this.server.bare, "rev-parse", "main");
    }

    /** Pulls (Flux may have committed), sets one app's newTag, commits and pushes; returns when it pushed. */
    bump(app: string, tag: string): number {
        git(this.dir, "pull", "--quiet", "--rebase", "origin", "main");
        const file = path.join(this.dir, OVERLAY);
        const current = fs.readFileSync(file, "utf8");
        const tags = Object.fromEntries(LAB_APPS.map((name) => [name, new RegExp(`newName: \\S+/${name}\\b[^\\n]*\\n\\s*newTag: (\\S+)`).exec(current)?.[1] ?? "1.0.0"]));
        tags[app] = tag;
        const images = this.images(tags).map(({ name, image, tag: newTag, policy }) => ({ name, newName: image, newTag, ...(policy ? { policy } : {}) }));
        fs.writeFileSync(file, updateOverlayKustomization(current, images));
        git(this.dir, "commit", "--quiet", "-am", `Bump ${app} to ${tag}`);
        const pushed = Date.now();
        git(this.dir, "push", "--quiet", "origin", "main");
        return pushed;
    }
}
