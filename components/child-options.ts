import * as pulumi from "@pulumi/pulumi";

/**
 * Options for a child of a component: its parent, and the component's own dependsOn (e.g. the Flux
 * install, or the Receiver events are sent to) plus `extra`, since children do not inherit their
 * parent's dependsOn.
 */
export function childOptions(parent: pulumi.Resource, opts: pulumi.ComponentResourceOptions | undefined, ...extra: pulumi.Resource[]): pulumi.CustomResourceOptions {
    const deps = opts?.dependsOn;
    if (deps === undefined) {
        return { parent, ...(extra.length > 0 ? { dependsOn: extra } : {}) };
    }
    if (Array.isArray(deps)) {
        return { parent, dependsOn: [...deps, ...extra] };
    }
    if (pulumi.Resource.isInstance(deps)) {
        return { parent, dependsOn: [deps, ...extra] };
    }
    return { parent, dependsOn: pulumi.output(deps as pulumi.Input<pulumi.Resource[]>).apply((resolved) => [...[resolved].flat(), ...extra]) as pulumi.Input<pulumi.Resource[]> };
}
