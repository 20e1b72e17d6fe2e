import * as net from "node:net";
import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";
import { semverConstraintProblem } from "./semver-constraint.js";

/** One bad input: which field, what value it had, and the rule it breaks. */
export interface Problem {
    field: string;
    value: unknown;
    rule: string;
    /** The field holds a secret (a key, a token): its value is never printed. */
    secret?: boolean;
}

export const SECRET_VALUE = "[secret]";

const PRIVATE_KEY_TEXT = /PRIVATE KEY|client-key-data|^token /im;

/** The text inside a value, whatever its shape: a string, a Buffer or bytes, or an object (including one that was bytes once). */
function textOf(value: unknown): string {
    if (typeof value === "string") {
        return value;
    }
    if (Buffer.isBuffer(value) || value instanceof Uint8Array) {
        return Buffer.from(value).toString("latin1");
    }
    if (typeof value === "object" && value !== null) {
        const entries = Object.entries(value);
        const bytes = entries.length > 0 && entries.every(([k, v]) => /^\d+$/.test(k) && typeof v === "number");
        return bytes ? Buffer.from(entries.map(([, v]) => v as number)).toString("latin1") : entries.map(([k, v]) => `${k} ${textOf(v)}`).join("\n");
    }
    return "";
}

/** Whether a value carries secret material (a private key, a kubeconfig's credentials, a token) in any shape. */
function looksSecret(value: unknown): boolean {
    return PRIVATE_KEY_TEXT.test(textOf(value));
}

export function formatProblem(problem: Problem): string {
    const value = problem.secret || looksSecret(problem.value) ? SECRET_VALUE : JSON.stringify(problem.value);
    return `${problem.field} = ${value}: ${problem.rule}`;
}

/**
 * Thrown before any resource is registered when inputs break a rule. It lists every problem at once,
 * one per line, and is a Pulumi `InputPropertiesError` so the engine can show each property path.
 */
export class InputValidationError extends pulumi.InputPropertiesError {
    readonly problems: Problem[];

    constructor(context: string, problems: Problem[]) {
        problems = problems.map((p) => (p.secret || looksSecret(p.value) ? { ...p, value: SECRET_VALUE, secret: true } : p));
        super({
            message: `${context}: invalid input\n${problems.map((p) => `  - ${formatProblem(p)}`).join("\n")}`,
            errors: problems.map((p) => ({ propertyPath: p.field, reason: formatProblem(p) })),
        });
        this.name = "InputValidationError";
        this.problems = problems;
    }
}

/** Throws an {@link InputValidationError} naming `context` when any check found a problem. */
export function assertValid(context: string, checks: Array<Problem | Problem[] | undefined>): void {
    const problems = checks.flatMap((c) => (c === undefined ? [] : c));
    if (problems.length > 0) {
        throw new InputValidationError(context, problems);
    }
}

function problemUnless(ok: boolean, field: string, value: unknown, rule: string): Problem | undefined {
    return ok ? undefined : { field, value, rule };
}

// The pattern Flux's CRDs declare for metav1.Duration fields (interval, timeout, retryInterval).
const GO_DURATION = /^([0-9]+(\.[0-9]+)?(ms|s|m|h))+$/;
const NANOSECONDS: Record<string, bigint> = { ms: 1_000_000n, s: 1_000_000_000n, m: 60_000_000_000n, h: 3_600_000_000_000n };
const MAX_DURATION = 2n ** 63n - 1n;

/** Nanoseconds of a duration matching GO_DURATION, as Go's time.ParseDuration sums them. */
export function durationNanoseconds(value: string): bigint {
    let total = 0n;
    for (const [, whole, fraction = "", unit] of value.matchAll(/([0-9]+)(?:\.([0-9]+))?(ms|s|m|h)/g)) {
        total += BigInt(whole) * NANOSECONDS[unit] + (BigInt(fraction || "0") * NANOSECONDS[unit]) / 10n ** BigInt(fraction.length);
    }
    return total;
}

/**
 * A duration as Flux's CRDs accept it (the pattern above) and as Go parses it (at most about
 * 292 years: time.Duration is int64 nanoseconds), and positive, since every duration here is an
 * interval or a timeout.
 */
export function checkGoDuration(field: string, value: string): Problem | undefined {
    if (typeof value !== "string" || !GO_DURATION.test(value)) {
        return { field, value, rule: "must be a Go duration made of numbers with units ms, s, m or h, such as 30s, 5m or 1h30m" };
    }
    const nanoseconds = durationNanoseconds(value);
    if (nanoseconds > MAX_DURATION) {
        return { field, value, rule: "is longer than Go's largest duration (2562047h47m16.854775807s); Flux cannot parse it" };
    }
    return problemUnless(nanoseconds > 0n, field, value, "must be longer than zero: Flux runs intervals and timeouts of 0 in a loop or not at all");
}

// git check-ref-format, as `git check-ref-format --branch` and `git checkout` apply it.
const GIT_REF_FORBIDDEN = /[\x00-\x20\x7f~^:?*[\\]/;

/** Why git refuses `name` as a branch name, or undefined when it accepts it. */
export function gitBranchProblem(name: string): string | undefined {
    if (name === "") {
        return "is empty";
    }
    if (name === "HEAD" || name === "@") {
        return `is ${name}, which git reads as the current commit, not as a branch`;
    }
    if (name.startsWith("-")) {
        return "starts with '-', which git refuses as a branch name (it reads as an option)";
    }
    if (GIT_REF_FORBIDDEN.test(name)) {
        return "contains a space, a control character or one of ~ ^ : ? * [ \\";
    }
    if (name.includes("..") || name.includes("@{")) {
        return "contains '..' or '@{'";
    }
    if (name.startsWith("/") || name.endsWith("/") || name.includes("//")) {
        return "starts or ends with '/' or contains '//'";
    }
    if (name.endsWith(".")) {
        return "ends with '.'";
    }
    if (name.split("/").some((part) => part.startsWith(".") || part.endsWith(".lock"))) {
        return "has a '/'-separated part that starts with '.' or ends with '.lock'";
    }
    return undefined;
}

export function checkGitBranch(field: string, value: string): Problem | undefined {
    const problem = typeof value === "string" ? gitBranchProblem(value) : "must be a string";
    return problem === undefined ? undefined : { field, value, rule: `must be a Git branch name (git check-ref-format --branch): it ${problem}` };
}

const DNS1123_LABEL = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/;
const DNS1123_SUBDOMAIN = /^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$/;

/** Names of namespaces, Services and label-like names: RFC 1123 labels. */
export function checkKubernetesLabelName(field: string, value: string): Problem | undefined {
    return problemUnless(
        typeof value === "string" && value.length <= 63 && DNS1123_LABEL.test(value),
        field,
        value,
        "must be a Kubernetes name (RFC 1123 label): at most 63 lowercase letters, digits and '-', starting and ending with a letter or digit",
    );
}

const DNS1035_LABEL = /^[a-z]([-a-z0-9]*[a-z0-9])?$/;

/** Names of Services: RFC 1035 labels, at most 63 characters and starting with a letter. */
export function checkKubernetesServiceName(field: string, value: string, what: string = "the Service name"): Problem | undefined {
    return problemUnless(
        typeof value === "string" && value.length <= 63 && DNS1035_LABEL.test(value),
        field,
        value,
        `gives ${what} ${JSON.stringify(value)}, which must be an RFC 1035 label: at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
    );
}

/** Names of most Kubernetes objects (Secrets, Flux objects, ConfigMaps): RFC 1123 subdomains. */
export function checkKubernetesName(field: string, value: string): Problem | undefined {
    return problemUnless(
        typeof value === "string" && value.length <= 253 && DNS1123_SUBDOMAIN.test(value),
        field,
        value,
        "must be a Kubernetes object name (RFC 1123 subdomain): at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit",
    );
}

// ECR's documented repository name pattern.
const ECR_NAME = /^(?:[a-z0-9]+(?:[._-][a-z0-9]+)*\/)*[a-z0-9]+(?:[._-][a-z0-9]+)*$/;

export function checkEcrRepositoryName(field: string, value: string): Problem | undefined {
    return problemUnless(
        typeof value === "string" && value.length >= 2 && value.length <= 256 && ECR_NAME.test(value),
        field,
        value,
        "must be an ECR repository name: 2 to 256 lowercase letters and digits, separated by single '.', '_', '-' or '/', starting and ending with a letter or digit",
    );
}

/**
 * A semver range Flux's ImagePolicy accepts (Masterminds/semver's grammar, see semver-constraint.ts)
 * that npm's `semver` also reads, since the ECR lifecycle analysis works out its versions with it.
 */
export function checkSemverRange(field: string, value: string): Problem | undefined {
    const examples = "such as 1.1.x, ^1.2.0 or >=1.0.0 <2.0.0";
    if (typeof value !== "string") {
        return { field, value, rule: `must be a semver range ${examples}` };
    }
    const refused = semverConstraintProblem(value);
    if (refused !== undefined) {
        return { field, value, rule: `must be a semver range ${examples}; Flux's image-reflector-controller refuses this one: it ${refused}` };
    }
    return problemUnless(
        value.trim() !== "" && semver.validRange(value) !== null,
        field,
        value,
        `is a range Flux reads but npm's semver does not (needed to keep its tags in ECR); write it with spaces and no commas, ${examples}`,
    );
}

/** Parses an IPv4 or IPv6 CIDR; undefined when it is not one. */
export function parseCidr(value: string): { family: 4 | 6; address: string; prefix: number } | undefined {
    if (typeof value !== "string") {
        return undefined;
    }
    const match = /^([^/]+)\/(\d{1,3})$/.exec(value);
    if (!match) {
        return undefined;
    }
    const family = net.isIP(match[1]);
    const prefix = Number(match[2]);
    if (family === 0 || prefix > (family === 4 ? 32 : 128)) {
        return undefined;
    }
    return { family: family as 4 | 6, address: match[1], prefix };
}

export function checkCidr(field: string, value: string): Problem | undefined {
    return problemUnless(
        parseCidr(value) !== undefined,
        field,
        value,
        "must be an IPv4 or IPv6 CIDR block such as 10.0.0.0/16 or 2001:db8::/32",
    );
}

/** True for 0.0.0.0/0 and ::/0, the CIDRs that mean "anywhere". */
export function isAnywhereCidr(value: string): boolean {
    const cidr = parseCidr(value);
    return cidr !== undefined && cidr.prefix === 0;
}

function addressNumber(address: string, family: 4 | 6): bigint {
    if (family === 4) {
        return address.split(".").reduce((n, part) => (n << 8n) + BigInt(Number(part)), 0n);
    }
    const [head, tail = ""] = address.includes("::") ? address.split("::") : [address, undefined];
    const groups = (text: string | undefined) => (text ? text.split(":") : []);
    const toHex = (part: string) => (part.includes(".") ? [addressNumber(part, 4) >> 16n, addressNumber(part, 4) & 0xffffn] : [BigInt(`0x${part}`)]);
    const front = groups(head).flatMap(toHex);
    const back = groups(tail).flatMap(toHex);
    const all = address.includes("::") ? [...front, ...Array(8 - front.length - back.length).fill(0n), ...back] : front;
    return all.reduce((n, group) => (n << 16n) + group, 0n);
}

/**
 * The address families that `cidrs` cover completely, together: `["0.0.0.0/1", "128.0.0.0/1"]` is
 * all of IPv4 as much as `0.0.0.0/0` is. Invalid entries are ignored (they have their own error).
 */
export function familiesCoveredEntirely(cidrs: readonly string[]): Array<4 | 6> {
    return ([4, 6] as const).filter((family) => {
        const bits = family === 4 ? 32n : 128n;
        const ranges = cidrs
            .map(parseCidr)
            .filter((c): c is NonNullable<ReturnType<typeof parseCidr>> => c !== undefined && c.family === family)
            .map((c) => {
                const size = 1n << (bits - BigInt(c.prefix));
                const start = (addressNumber(c.address, family) / size) * size;
                return [start, start + size] as const;
            })
            .sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        let reached = 0n;
        for (const [start, end] of ranges) {
            if (start > reached) {
                return false;
            }
            reached = end > reached ? end : reached;
        }
        return reached === 1n << bits;
    });
}

/** "every IPv4 address" and the like, for messages about {@link familiesCoveredEntirely}. */
export function describeCoverage(families: ReadonlyArray<4 | 6>): string {
    return families.map((family) => `every IPv${family} address`).join(" and ");
}

/** Reports every value that occurs more than once in a list. */
export function checkUnique(field: string, values: readonly string[]): Problem[] {
    const seen = new Set<string>();
    const problems: Problem[] = [];
    values.forEach((value, index) => {
        if (seen.has(value)) {
            problems.push({ field: `${field}[${index}]`, value, rule: "must be unique; it appears earlier in the list" });
        }
        seen.add(value);
    });
    return problems;
}

/** A rotation counter: a whole number from 0 up; raising it replaces what it rotates. */
export function checkRotation(field: string, rotation: number | undefined): Problem | undefined {
    return rotation === undefined || (Number.isSafeInteger(rotation) && rotation >= 0)
        ? undefined
        : { field, value: rotation, rule: "must be a whole number from 0 up; raise it by one to rotate" };
}
