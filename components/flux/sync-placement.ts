import { SEED_BASE_PATH, SEED_NAME_PREFIX } from "../github/seed-app-files.js";
import { checkKubernetesServiceName, type Problem } from "../validate.js";

/** Namespaces the cluster itself owns: a sync into them could replace or prune what keeps the cluster running. */
export const SYSTEM_NAMESPACES = ["kube-system", "kube-public", "kube-node-lease"] as const;

/**
 * The app's namespace must be its own: not a system namespace and not Flux's, which FluxInstall
 * already owns (a second owner would delete or prune it from under the controllers).
 */
export function checkSyncTargetNamespace(field: string, targetNamespace: string, fluxNamespace: string): Problem | undefined {
    if ((SYSTEM_NAMESPACES as readonly string[]).includes(targetNamespace)) {
        return { field, value: targetNamespace, rule: `is a system namespace of the cluster (${SYSTEM_NAMESPACES.join(", ")}); give the app a namespace of its own` };
    }
    if (targetNamespace === fluxNamespace) {
        return { field, value: targetNamespace, rule: `is Flux's own namespace (${fluxNamespace}), which the Flux install owns; give the app a namespace of its own` };
    }
    return undefined;
}

const folder = (path: string) => path.replace(/^\.\//, "").replace(/\/+$/, "");

/** The sync path holds the seed's overlay: it must not be the base folder or lie inside it, or the overlay replaces the base's kustomization.yaml. */
export function checkSyncPathApartFromBase(field: string, syncPath: string, basePath: string = SEED_BASE_PATH): Problem | undefined {
    const sync = folder(syncPath);
    const base = folder(basePath);
    return sync === base || sync.startsWith(`${base}/`)
        ? { field, value: syncPath, rule: `is the seed's base folder ./${base} or inside it; the overlay would overwrite the base's kustomization.yaml. Use a folder of its own such as ./app/overlays/prod` }
        : undefined;
}

/** The Service the seed overlay makes of an app, `<prefix><app>`, must be a valid Service name. */
export function checkSeedServiceName(field: string, app: string, namePrefix: string = SEED_NAME_PREFIX): Problem | undefined {
    const problem = checkKubernetesServiceName(field, `${namePrefix}${app}`, "the overlay's Service name");
    return problem && { ...problem, value: app };
}
