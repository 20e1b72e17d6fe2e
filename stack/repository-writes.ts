import type { PlanResource } from "./plan-report.js";

const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";

/**
 * The config-repository files a `pulumi up` of this plan writes (path -> content): every
 * RepositoryFile whose content Pulumi keeps in step, not those created once and then owned by Git.
 */
export function pulumiWrittenFiles(resources: readonly PlanResource[]): Record<string, string> {
    const files: Record<string, string> = {};
    for (const resource of resources) {
        if (resource.type !== REPOSITORY_FILE || resource.options.ignoreChanges?.includes("content")) {
            continue;
        }
        const { file, content } = resource.inputs as { file?: unknown; content?: unknown };
        if (typeof file === "string" && typeof content === "string") {
            files[file] = content;
        }
    }
    return files;
}

/** The path the plan's Flux Kustomization applies, without its leading `./`. */
export function planSyncPath(resources: readonly PlanResource[]): string | undefined {
    const sync = resources.find((r) => r.type === "kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization");
    const spec = (sync?.inputs as { spec?: { path?: unknown } } | undefined)?.spec;
    return typeof spec?.path === "string" ? spec.path.replace(/^\.\//, "") : undefined;
}
