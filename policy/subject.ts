/**
 * What a rule sees of one resource, the same whether it comes from `pulumi preview --policy-pack`
 * (the engine's PolicyResource) or from an offline plan's resources.json.
 */
export interface Subject {
    urn: string;
    type: string;
    name: string;
    props: Record<string, any>;
    /** URNs this resource depends on, transitively through components as the engine records them. */
    dependencies: string[];
    ignoreChanges: string[];
    /**
     * Property paths that were marked secret, when the source says (the offline plan does; the engine
     * does not tell policies). `undefined` means unknown.
     */
    secretPaths?: string[];
    /** Whether the resource is protected; `undefined` when the source does not say. */
    protect?: boolean;
    /** Whether `pulumi destroy` leaves the resource in place; `undefined` when the source does not say (the engine does not tell policies). */
    retainOnDelete?: boolean;
}

export interface Finding {
    urn: string;
    message: string;
}

export interface RuleContext {
    subjects: Subject[];
    /** This rule's settings from the pack config, e.g. `{ "allowedCidrs": [...] }`. */
    config: Record<string, unknown>;
}

export interface Rule {
    name: string;
    description: string;
    /** JSON-schema properties of the rule's own settings, for Pulumi's pack config. */
    configProperties?: Record<string, { type: string; items?: { type: string }; description?: string; default?: unknown }>;
    check(context: RuleContext): Finding[];
}

/** The value the offline plan writes in place of a secret. */
export const MASKED = "[secret]";

export function ofType(subjects: readonly Subject[], ...types: string[]): Subject[] {
    return subjects.filter((s) => types.includes(s.type));
}

/** Flux and other custom resources are registered as `kubernetes:<group>/<version>:<Kind>`. */
export function kubernetesKind(subject: Subject): { group: string; version: string; kind: string } | undefined {
    const match = /^kubernetes:(?:([^/:]+)\/)?([^/:]+):([A-Za-z]+)$/.exec(subject.type);
    if (!match || match[1] === undefined && match[2] === "providers") {
        return undefined;
    }
    return { group: match[1] ?? "core", version: match[2], kind: match[3] };
}

export const FLUX_GROUP = /\.toolkit\.fluxcd\.io$/;

export function isFluxObject(subject: Subject): boolean {
    const kind = kubernetesKind(subject);
    return kind !== undefined && FLUX_GROUP.test(kind.group);
}

export function objectName(subject: Subject): string {
    const metadata = subject.props.metadata ?? {};
    return metadata.namespace ? `${metadata.namespace}/${metadata.name ?? subject.name}` : String(metadata.name ?? subject.name);
}

export function parseJson(value: unknown): any {
    if (typeof value !== "string") {
        return value;
    }
    try {
        return JSON.parse(value);
    } catch {
        return undefined;
    }
}

/** Whether `path` (dotted) or one of its ancestors was marked secret; undefined when unknown. */
export function isSecretPath(subject: Subject, path: string): boolean | undefined {
    if (subject.secretPaths === undefined) {
        return undefined;
    }
    return subject.secretPaths.some((secret) => secret === "" || path === secret || path.startsWith(`${secret}.`));
}
