/**
 * The defensive pass over text that leaves the runner (a pull-request comment): Pulumi must mask
 * secrets itself, so anything this pass finds is a defect to report, never printed.
 */

export const REDACTED = "[secret]";

/** Secrets shorter than this would redact ordinary words; they are refused. */
export const MIN_SECRET_LENGTH = 8;
/** Lines of a multi-line secret at least this long count on their own: Pulumi prints multi-line strings line by line. */
const MIN_LINE_LENGTH = 24;

const PRIVATE_KEY_BLOCK = /-----BEGIN ((?:[A-Z0-9]+ )*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$(?![\s\S]))/g;
// Kubeconfig credentials (a user's token, client key, password) as YAML or JSON fields.
// A value is quoted or bare; in a diff line, `old => new`.
const VALUE = String.raw`"[^"\n]*"|'[^'\n]*'|[^\s"',}]+`;
const CREDENTIAL_FIELD = new RegExp(
    String.raw`((?:^|[\s{,])["']?(?:token|id-token|refresh-token|access-token|client-key-data|password)["']?[ \t]*[:=][ \t]*)(${VALUE})(?:([ \t]*=>[ \t]*)(${VALUE}))?`,
    "gm",
);
// What Pulumi shows in place of a value it does not know or must not show.
const PLACEHOLDER = /^(?:\[secret\]|\[unknown\]|output<[^>]*>|computed<[^>]*>)$/;

/** The strings of one secret to look for: the whole value and, for a multi-line value, each long line of it. */
function fragments(secret: string): string[] {
    const lines = secret.split("\n").map((line) => line.trim()).filter((line) => line.length >= MIN_LINE_LENGTH);
    return [...new Set([secret.trim(), ...(lines.length > 1 ? lines : [])])];
}

function checkSecrets(secrets: readonly string[]): void {
    secrets.forEach((secret, index) => {
        if (secret.trim().length < MIN_SECRET_LENGTH) {
            throw new Error(`secret #${index + 1} is shorter than ${MIN_SECRET_LENGTH} characters: too short to redact safely (its value is not shown)`);
        }
    });
}

/** Where a secret occurs, without its value: "secret #2" or "secret #2 (line 5 of it)". */
export function findSecrets(text: string, secrets: readonly string[]): string[] {
    checkSecrets(secrets);
    const found: string[] = [];
    secrets.forEach((secret, index) => {
        const lines = secret.split("\n").map((line) => line.trim());
        for (const fragment of fragments(secret)) {
            if (text.includes(fragment)) {
                found.push(fragment === secret.trim() ? `secret #${index + 1}` : `secret #${index + 1} (line ${lines.indexOf(fragment) + 1} of it)`);
            }
        }
    });
    return found;
}

export interface Redaction {
    text: string;
    /** How many values were replaced by {@link REDACTED}: given secrets, private-key blocks and credential fields. */
    redactions: number;
}

/**
 * Replaces every occurrence of each secret (and each long line of a multi-line one), every PEM or
 * OpenSSH private-key block and the value of every kubeconfig credential field by {@link REDACTED}.
 */
export function redact(text: string, secrets: readonly string[]): Redaction {
    checkSecrets(secrets);
    let redactions = 0;
    let out = text;
    // Longest first, so a whole value goes before the lines it holds.
    const all = secrets.flatMap(fragments).sort((a, b) => b.length - a.length);
    for (const fragment of all) {
        const parts = out.split(fragment);
        redactions += parts.length - 1;
        out = parts.join(REDACTED);
    }
    out = out.replace(PRIVATE_KEY_BLOCK, () => {
        redactions++;
        return REDACTED;
    });
    const value = (quoted: string) => {
        const quote = /^["']/.test(quoted) ? quoted[0] : "";
        if (PLACEHOLDER.test(quote ? quoted.slice(1, -1) : quoted)) {
            return quoted;
        }
        redactions++;
        return quote + REDACTED + quote;
    };
    out = out.replace(CREDENTIAL_FIELD, (_match: string, field: string, old: string, arrow?: string, changed?: string) =>
        field + value(old) + (arrow !== undefined && changed !== undefined ? arrow + value(changed) : ""),
    );
    return { text: out, redactions };
}
