import { stringify } from "yaml";
import type { RecordedOptions, RecordedResource } from "../testing/mock-cloud.js";

/** What `npm run plan` writes and prints, computed from the resources the program registered. */

export const SECRET_MASK = "[secret]";

export interface PlanResource {
    urn: string;
    type: string;
    name: string;
    parent?: string;
    dependencies: string[];
    options: RecordedOptions;
    /** Paths of the inputs that are Pulumi secrets (masked in `inputs` unless secrets are shown). */
    secretPaths: string[];
    inputs: Record<string, unknown>;
}

export interface PlanFile {
    path: string;
    content: string;
}

export interface ReportOptions {
    /** Write secret values instead of the mask, as `pulumi preview --show-secrets` does. */
    showSecrets: boolean;
}

function setPath(target: Record<string, unknown>, path: string, value: unknown): void {
    const parts = path.match(/[^.[\]]+/g) ?? [];
    let node: any = target;
    for (const part of parts.slice(0, -1)) {
        if (node[part] === undefined || node[part] === null) {
            return;
        }
        node = node[part];
    }
    const last = parts[parts.length - 1];
    if (last !== undefined && node !== null && typeof node === "object" && last in node) {
        node[last] = maskLeaves(node[last], value);
    }
}

/** Masks every leaf but keeps the shape (a secret map still shows its keys), so manifests stay valid. */
function maskLeaves(target: unknown, mask: unknown): unknown {
    if (Array.isArray(target)) {
        return target.map((item) => maskLeaves(item, mask));
    }
    if (target !== null && typeof target === "object") {
        return Object.fromEntries(Object.entries(target).map(([key, item]) => [key, maskLeaves(item, mask)]));
    }
    return mask;
}

/** A copy of the inputs with every secret replaced by {@link SECRET_MASK}; a secret root masks it all. */
export function maskSecrets(inputs: Record<string, unknown>, secretPaths: readonly string[]): Record<string, unknown> {
    if (secretPaths.includes("")) {
        return maskLeaves(inputs, SECRET_MASK) as Record<string, unknown>;
    }
    const copy = structuredClone(inputs);
    for (const path of secretPaths) {
        setPath(copy, path, SECRET_MASK);
    }
    return copy;
}

function visibleInputs(resource: RecordedResource, options: ReportOptions): Record<string, unknown> {
    return options.showSecrets ? resource.inputs : maskSecrets(resource.inputs, resource.secretPaths);
}

export function planResources(resources: readonly RecordedResource[], options: ReportOptions): PlanResource[] {
    return resources.map((resource) => ({
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        ...(resource.parent ? { parent: resource.parent } : {}),
        dependencies: resource.dependencies,
        options: resource.options,
        secretPaths: resource.secretPaths,
        inputs: visibleInputs(resource, options),
    }));
}

/** True for a registered resource that is one Kubernetes object (not a provider, chart or component). */
export function isKubernetesObject(resource: RecordedResource): boolean {
    return (
        resource.custom &&
        resource.type.startsWith("kubernetes:") &&
        typeof resource.inputs.apiVersion === "string" &&
        typeof resource.inputs.kind === "string"
    );
}

function fileSafe(text: string): string {
    return text.replace(/[^A-Za-z0-9._-]+/g, "_");
}

/**
 * Every Kubernetes object the program applies, one YAML file each, named
 * `<namespace or _cluster>/<kind>-<name>.yaml` so a diff of two plans reads per object.
 */
export function kubernetesManifests(resources: readonly RecordedResource[], options: ReportOptions): PlanFile[] {
    const files = resources.filter(isKubernetesObject).map((resource) => {
        const object = visibleInputs(resource, options) as { kind: string; metadata?: { name?: string; namespace?: string } };
        const namespace = object.metadata?.namespace ?? "_cluster";
        const name = object.metadata?.name ?? resource.name;
        return {
            path: `${fileSafe(namespace)}/${fileSafe(object.kind)}-${fileSafe(name)}.yaml`,
            content: stringify(object, { lineWidth: 0 }),
            urn: resource.urn,
        };
    });
    const owners = new Map<string, string[]>();
    for (const file of files) {
        owners.set(file.path, [...(owners.get(file.path) ?? []), file.urn]);
    }
    const twice = [...owners].filter(([, urns]) => urns.length > 1);
    if (twice.length > 0) {
        // One object written by two resources: the cluster would keep only the last apply, and one file would hide the other.
        throw new Error(
            twice.map(([file, urns]) => `the Kubernetes object ${file.replace(/\.yaml$/, "")} is created by ${urns.length} resources (${urns.join(", ")}); each object must have one owner`).join("\n"),
        );
    }
    return files.map(({ path, content }) => ({ path, content })).sort((a, b) => a.path.localeCompare(b.path));
}

const REPOSITORY_FILE = "github:index/repositoryFile:RepositoryFile";

/** The files the program commits to the config repository, byte for byte. */
export function repositoryFiles(resources: readonly RecordedResource[]): PlanFile[] {
    return resources
        .filter((resource) => resource.type === REPOSITORY_FILE)
        .map((resource) => ({ path: String(resource.inputs.file), content: String(resource.inputs.content ?? "") }))
        .sort((a, b) => a.path.localeCompare(b.path));
}

function summarise(value: unknown): string | undefined {
    if (typeof value === "string") {
        const oneLine = value.includes("\n") ? `${value.split("\n")[0]}…` : value;
        return oneLine.length > 60 ? `${oneLine.slice(0, 57)}…` : oneLine;
    }
    if (typeof value === "number" || typeof value === "boolean") {
        return String(value);
    }
    if (Array.isArray(value) && value.every((v) => typeof v !== "object")) {
        return summarise(`[${value.join(",")}]`);
    }
    return undefined;
}

/** Up to `limit` scalar inputs, the ones a reviewer looks at first. */
export function keyInputs(inputs: Record<string, unknown>, limit = 4): string[] {
    const preferred = ["name", "metadata", "kind", "file", "imageTagMutability", "fromPort", "cidrBlocks", "cidrIpv4", "readOnly", "visibility"];
    const entries = Object.entries(inputs)
        .flatMap(([key, value]): Array<[string, unknown]> =>
            key === "metadata" && value && typeof value === "object"
                ? Object.entries(value as Record<string, unknown>)
                      .filter(([k]) => k === "name" || k === "namespace")
                      .map(([k, v]) => [k, v])
                : [[key, value]],
        )
        .filter(([key]) => key !== "apiVersion")
        .map(([key, value]) => [key, summarise(value)] as const)
        .filter((entry): entry is readonly [string, string] => entry[1] !== undefined);
    entries.sort(([a], [b]) => {
        const rank = (k: string) => (preferred.includes(k) ? preferred.indexOf(k) : preferred.length);
        return rank(a) - rank(b);
    });
    return entries.slice(0, limit).map(([key, value]) => `${key}=${value}`);
}

/** The resource tree as `pulumi preview` shows it: one `+` line per resource, children indented. */
export function renderTree(resources: readonly PlanResource[]): string {
    const children = new Map<string | undefined, PlanResource[]>();
    const urns = new Set(resources.map((r) => r.urn));
    for (const resource of resources) {
        const parent = resource.parent && urns.has(resource.parent) ? resource.parent : undefined;
        children.set(parent, [...(children.get(parent) ?? []), resource]);
    }
    const lines: string[] = [];
    const walk = (parent: string | undefined, depth: number) => {
        for (const resource of children.get(parent) ?? []) {
            const details = resource.type === "pulumi:pulumi:Stack" ? "" : keyInputs(resource.inputs).join(" ");
            lines.push(`${"    ".repeat(depth)}+ ${resource.type}  ${resource.name}${details ? `  ${details}` : ""}`);
            walk(resource.urn, depth + 1);
        }
    };
    walk(undefined, 0);
    return lines.join("\n");
}
