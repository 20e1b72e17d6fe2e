import { Document, isMap, isScalar, isSeq, parseDocument, type YAMLMap } from "yaml";

/** The marker comment image-automation-controller's Setters strategy looks for on a value's line. */
export function imagePolicyMarker(policyNamespace: string, policyName: string, field: "name" | "tag" | "digest"): string {
    return ` {"$imagepolicy": "${policyNamespace}:${policyName}:${field}"}`;
}

export interface OverlayImage {
    /** The image name as the base manifests use it. */
    name: string;
    newName: string;
    newTag: string;
    /**
     * Digest pinned with the tag (kustomize renders `newName:newTag@digest`); "" until Flux writes the
     * chosen tag's digest, which it does only with a policy and digest reflection. @default no digest field
     */
    digest?: string;
    /** The ImagePolicy whose choice Flux writes here; no markers without one. */
    policy?: { namespace: string; name: string };
}

/**
 * Sets the `images:` list of a kustomization document: each entry's newName/newTag, with setter
 * markers as line comments for entries that have an ImagePolicy. Other content and comments of the
 * document are kept.
 */
export function setOverlayImages(document: Document, images: readonly OverlayImage[]): Document {
    const list = document.createNode(images.map(({ name, newName, newTag, digest }) => ({ name, newName, newTag, ...(digest !== undefined ? { digest } : {}) })));
    images.forEach((image, i) => {
        if (!image.policy) {
            return;
        }
        const entry = (list as { items: YAMLMap[] }).items[i];
        for (const [key, field] of [["newName", "name"], ["newTag", "tag"], ["digest", "digest"]] as const) {
            const value = entry.get(key, true);
            if (isScalar(value)) {
                value.comment = imagePolicyMarker(image.policy.namespace, image.policy.name, field);
            }
        }
    });
    document.set("images", list);
    return document;
}

/** Renders an overlay kustomization.yaml from its other fields and its images. */
export function renderOverlayKustomization(fields: Record<string, unknown>, images: readonly OverlayImage[], header?: string): string {
    const document = new Document({ apiVersion: "kustomize.config.k8s.io/v1beta1", kind: "Kustomization", ...fields });
    if (header) {
        document.commentBefore = header;
    }
    return setOverlayImages(document, images).toString({ lineWidth: 0 });
}

/** Re-renders an existing overlay with new images, keeping the user's other fields and comments. */
export function updateOverlayKustomization(source: string, images: readonly OverlayImage[]): string {
    const document = parseDocument(source);
    if (!isMap(document.contents)) {
        throw new Error("the overlay is not a YAML mapping");
    }
    const existing = document.get("images");
    if (existing !== undefined && !isSeq(existing)) {
        throw new Error("the overlay's images field is not a list");
    }
    return setOverlayImages(document, images).toString({ lineWidth: 0 });
}
