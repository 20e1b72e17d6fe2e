import * as fs from "node:fs";
import { parseAllDocuments } from "yaml";
import type { KubernetesObject } from "./install-manifests.js";
import { FLUX_CONTROLLERS, type FluxController } from "./release.js";

/** A vendored Flux release's manifests, by the file they come from. */
export interface VendoredRelease {
    crds: Record<FluxController, KubernetesObject[]>;
    manager: Record<FluxController, KubernetesObject[]>;
    rbac: KubernetesObject[];
    policies: KubernetesObject[];
}

/**
 * The file beside a release's YAML holding all of it parsed: what the install reads, since parsing
 * the YAML (about 0.4 s for 380 kB) would hold back every `pulumi` run's first resource.
 */
export const VENDORED_JSON = "manifests.json";

function readYaml(file: string): KubernetesObject[] {
    return parseAllDocuments(fs.readFileSync(file, "utf8"))
        .map((document) => document.toJS() as KubernetesObject | null)
        .filter((object): object is KubernetesObject => object !== null);
}

/** Parses the YAML files `npm run vendor:flux` copied into `dir` (a release's vendor directory). */
export function parseVendoredYaml(dir: string): VendoredRelease {
    const perController = (file: string) =>
        Object.fromEntries(FLUX_CONTROLLERS.map((controller) => [controller, readYaml(`${dir}/${controller}/${file}`)])) as Record<FluxController, KubernetesObject[]>;
    return {
        crds: perController("crds.yaml"),
        manager: perController("manager.yaml"),
        rbac: readYaml(`${dir}/flux2/rbac.yaml`),
        policies: readYaml(`${dir}/flux2/policies.yaml`),
    };
}
