import { stringify } from "yaml";
import { appObjects, imagePolicyName, renderOverlayKustomization } from "eks-flux-gitops";

/** An app team's app in the platform's config repository, as its developers commit it. */
export interface TeamApp {
    /** The team's folder, as its AppSync's path (./teams/billing). */
    path: string;
    /** The app; names its Deployment and Service, and its ImagePolicy. */
    app: string;
    /** Image repository without tag. */
    image: string;
    tag: string;
    /** Flux's namespace, where the team's ImagePolicy lives. */
    policyNamespace: string;
    /** The app's container port. @default 8080 */
    port?: number;
    /** Pin the image by digest too: an empty `digest` with its marker, which the team's automation fills. @default false */
    pinDigest?: boolean;
}

/**
 * The team's folder, path → content: the app's Deployment and Service, and a kustomization.yaml whose
 * image tag carries the setter marker of the team's ImagePolicy, which the team's own
 * ImageUpdateAutomation rewrites.
 */
export function teamAppFiles(team: TeamApp): Record<string, string> {
    const folder = team.path.replace(/^\.\//, "").replace(/\/+$/, "");
    const objects = appObjects({ name: team.app, image: team.image, tag: team.tag, shape: { kind: "deployment", port: team.port ?? 8080 } });
    return {
        [`${folder}/${team.app}.yaml`]: objects.map((object) => stringify(object, { lineWidth: 0 })).join("---\n"),
        [`${folder}/kustomization.yaml`]: renderOverlayKustomization(
            { resources: [`${team.app}.yaml`] },
            [{ name: team.app, newName: team.image, newTag: team.tag, ...(team.pinDigest ? { digest: "" } : {}), policy: { namespace: team.policyNamespace, name: imagePolicyName(team.app) } }],
            ` ${team.app}, applied by the team's Kustomization; the tag marked with $imagepolicy is updated by Flux's image automation.`,
        ),
    };
}
