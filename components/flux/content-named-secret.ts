import { createHash } from "node:crypto";
import { checkKubernetesName, type Problem } from "../validate.js";

/** Length of the content suffix: `-` and 10 hex digits of SHA-256. */
export const CONTENT_SUFFIX_LENGTH = 11;

/**
 * `<base>-<10 hex digits of SHA-256 of parts>`: a Secret named after its content. The kubernetes
 * provider replaces a Secret whose data changes, and with a fixed name it must delete the old one
 * before creating the new one, leaving Flux a moment with no Secret. With a name that changes with the
 * content, the new Secret is created beside the old one, the Flux object switches its secretRef to it,
 * and the old Secret is deleted last: a rotation without a gap. Parts are public keys or values whose
 * SHA-256 reveals nothing usable (a 40-bit prefix of the hash of a random token).
 */
export function contentNamedSecret(base: string, parts: string[]): string {
    const digest = createHash("sha256").update(parts.join("\0")).digest("hex").slice(0, CONTENT_SUFFIX_LENGTH - 1);
    return `${base}-${digest}`;
}

/** Checks that `base` with the content suffix is a valid Secret name, reported on the field the user wrote. */
export function checkContentNamedSecretBase(field: string, value: string, base: string): Problem | undefined {
    const problem = checkKubernetesName(field, `${base}-${"0".repeat(CONTENT_SUFFIX_LENGTH - 1)}`);
    return problem && { field, value, rule: `gives the Secret name "${base}-<10 hex digits>", which ${problem.rule}` };
}
