/**
 * Flux releases this library can install, each with the controller versions it ships. The install is
 * built from the controllers' own manifests and CRDs, vendored per release under
 * components/flux/vendor/ by `npm run vendor:flux -- <version>`; upgrading Flux is that command plus
 * changing DEFAULT_FLUX_VERSION (or the `version` argument of FluxInstall).
 */
export interface FluxRelease {
    /** Controller name → its release tag; images are ghcr.io/fluxcd/<controller>:<tag>. */
    controllers: Record<FluxController, string>;
    /** The flux2 module whose manifests/ (RBAC, network policies) are vendored with this release. */
    distribution: string;
}

export const FLUX_CONTROLLERS = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
] as const;
export type FluxController = (typeof FLUX_CONTROLLERS)[number];

/** The controllers that image automation adds to the default set. */
export const IMAGE_CONTROLLERS: readonly FluxController[] = ["image-reflector-controller", "image-automation-controller"];

export const FLUX_RELEASES: Record<string, FluxRelease> = {
    "2.9.0": {
        controllers: {
            "source-controller": "v1.9.0",
            "kustomize-controller": "v1.9.0",
            "helm-controller": "v1.6.0",
            "notification-controller": "v1.9.0",
            "image-reflector-controller": "v1.2.0",
            "image-automation-controller": "v1.2.0",
        },
        distribution: "v2.9.5",
    },
};

export const DEFAULT_FLUX_VERSION = "2.9.0";

export function controllerImage(controller: FluxController, release: FluxRelease): string {
    return `ghcr.io/fluxcd/${controller}:${release.controllers[controller]}`;
}
