/**
 * The Flux releases this library can install: for each, the release tag of every controller it
 * ships. FluxInstall builds the install from those controllers' own manifests and CRDs, vendored per
 * release under components/flux-vendor/ by `npx tsx scripts/vendor-flux.ts <version>`.
 */

/** Every controller FluxInstall knows, in the order Flux's install lists them. */
export const FLUX_CONTROLLERS = [
    "source-controller",
    "kustomize-controller",
    "helm-controller",
    "notification-controller",
    "image-reflector-controller",
    "image-automation-controller",
] as const;
export type FluxController = (typeof FLUX_CONTROLLERS)[number];

/** Installed always. */
export const CORE_CONTROLLERS: readonly FluxController[] = ["source-controller", "kustomize-controller", "helm-controller", "notification-controller"];

/** Installed with `imageAutomation: true`. */
export const IMAGE_AUTOMATION_CONTROLLERS: readonly FluxController[] = ["image-reflector-controller", "image-automation-controller"];

export interface FluxRelease {
    /** Controller → its Go module version and image tag, e.g. `v1.9.0`. */
    controllers: Readonly<Record<FluxController, string>>;
    /**
     * Version of the github.com/fluxcd/flux2/v2 module whose `manifests/` (service accounts,
     * deployment patches, labels, RBAC, network policies) assemble this release.
     */
    distribution: string;
}

export const FLUX_RELEASES: Readonly<Record<string, FluxRelease>> = {
    "2.9.0": {
        controllers: {
            "source-controller": "v1.9.0",
            "kustomize-controller": "v1.9.0",
            "helm-controller": "v1.6.0",
            "notification-controller": "v1.9.0",
            "image-reflector-controller": "v1.2.0",
            "image-automation-controller": "v1.2.0",
        },
        // The Go module proxy serves no v2.9.0 of flux2. Within 2.9.x its manifests/ change only in the
        // controller release URLs (v2.9.1 and v2.9.5 compared), which we do not use: tags come from above.
        distribution: "v2.9.5",
    },
};

/** The release FluxInstall installs when `version` is not given: the one line to change to upgrade. */
export const DEFAULT_FLUX_VERSION = "2.9.0";

/** The controllers of an install, in Flux's order. */
export function fluxControllers(imageAutomation: boolean): FluxController[] {
    return FLUX_CONTROLLERS.filter((c) => CORE_CONTROLLERS.includes(c) || (imageAutomation && IMAGE_AUTOMATION_CONTROLLERS.includes(c)));
}

/** The image Flux publishes for a controller of a release, e.g. `ghcr.io/fluxcd/source-controller:v1.9.0`. */
export function controllerImage(controller: FluxController, release: FluxRelease): string {
    return `ghcr.io/fluxcd/${controller}:${release.controllers[controller]}`;
}
