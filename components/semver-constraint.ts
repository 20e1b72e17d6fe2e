/**
 * The semver range grammar of Flux's ImagePolicy: image-reflector-controller parses `semver.range`
 * with github.com/Masterminds/semver/v3 `NewConstraint` (v3.5.0 in Flux 2.9.0), which is stricter
 * than npm's `semver` in some places (an empty range, `1.2.3 ||`, 513 characters) and looser in others.
 * This mirrors its regular expressions, limits and version checks, so a range is refused here
 * exactly when the controller would refuse it.
 */

// Go's \s in RE2 is [\t\n\f\r ]; JavaScript's is wider.
const S = "[\\t\\n\\f\\r ]";
const OPS = "=||!=|>|<|>=|=>|<=|=<|~|~>|\\^";
const CV =
    "v?([0-9|xX*]+)(\\.[0-9|xX*]+)?(\\.[0-9|xX*]+)?" + "(-([0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*))?" + "(\\+([0-9A-Za-z-]+(\\.[0-9A-Za-z-]+)*))?";

const CONSTRAINT = new RegExp(`^${S}*(${OPS})${S}*(${CV})${S}*$`);
const RANGE = new RegExp(`${S}*(${CV})${S}+-${S}+(${CV})${S}*`, "g");
const FIND = new RegExp(`(${OPS})${S}*(${CV})`, "g");
const VALID = new RegExp(`^(${S}*(${OPS})${S}*(${CV})${S}*)((?:${S}+|,${S}*)(${OPS})${S}*(${CV})${S}*)*$`);
const LOOSE_VERSION = /^v?([0-9]+)(\.[0-9]+)?(\.[0-9]+)?(-([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?(\+([0-9A-Za-z-]+(\.[0-9A-Za-z-]+)*))?$/;

export const MAX_CONSTRAINT_LENGTH = 512;
export const MAX_CONSTRAINT_GROUPS = 32;
const MAX_VERSION_LENGTH = 256;
const MAX_UINT64 = 2n ** 64n - 1n;

const isX = (part: string) => part === "x" || part === "X" || part === "*";

/** Masterminds' NewVersion (coercing mode, the default): why `version` is refused, or undefined. */
function versionProblem(version: string): string | undefined {
    if (version.length > MAX_VERSION_LENGTH) {
        return `a version longer than ${MAX_VERSION_LENGTH} characters`;
    }
    const m = LOOSE_VERSION.exec(version);
    if (!m) {
        return `${JSON.stringify(version)}, which is not a version (each part must be digits, x or *)`;
    }
    for (const segment of [m[1], m[2], m[3]]) {
        if (segment !== undefined && BigInt(segment.replace(/^\./, "")) > MAX_UINT64) {
            return `a version part ${segment.replace(/^\./, "")} larger than 18446744073709551615`;
        }
    }
    for (const part of (m[5] ?? "").split(".")) {
        if (/^[0-9]+$/.test(part) && part.length > 1 && part.startsWith("0")) {
            return `a pre-release part ${part} that starts with 0`;
        }
    }
    return undefined;
}

function parseConstraint(text: string): string | undefined {
    if (text.length === 0) {
        return undefined;
    }
    const m = CONSTRAINT.exec(text);
    if (!m) {
        return `an improper constraint ${JSON.stringify(text)}`;
    }
    const [major, minor, patch, pre] = [m[3], m[4] ?? "", m[5] ?? "", m[6] ?? ""];
    let version = m[2];
    if (isX(major) || major === "") {
        version = `0.0.0${pre}`;
    } else if (isX(minor.replace(/^\./, "")) || minor === "") {
        version = `${major}.0.0${pre}`;
    } else if (isX(patch.replace(/^\./, "")) || patch === "") {
        version = `${major}${minor}.0${pre}`;
    }
    return versionProblem(version);
}

/** Why Flux's image-reflector-controller refuses `range` as an ImagePolicy semver range, or undefined when it accepts it. */
export function semverConstraintProblem(range: string): string | undefined {
    if (range.length > MAX_CONSTRAINT_LENGTH) {
        return `is longer than ${MAX_CONSTRAINT_LENGTH} characters`;
    }
    let rewritten = range;
    for (const match of range.matchAll(RANGE)) {
        rewritten = rewritten.replace(match[0], `>= ${match[1]}, <= ${match[11]} `);
    }
    const groups = rewritten.split("||");
    if (groups.length > MAX_CONSTRAINT_GROUPS) {
        return `has more than ${MAX_CONSTRAINT_GROUPS} alternatives joined by ||`;
    }
    for (const group of groups) {
        if (!VALID.test(group)) {
            return `has an improper constraint ${JSON.stringify(group)}`;
        }
        const found = [...group.matchAll(FIND)].map((match) => match[0]);
        for (const constraint of found.length > 0 ? found : [group]) {
            const problem = parseConstraint(constraint);
            if (problem) {
                return `has ${problem}`;
            }
        }
    }
    return undefined;
}
