import * as net from "node:net";
import * as pulumi from "@pulumi/pulumi";
import * as semver from "semver";

/** One bad input: which field, what value it had, and the rule it breaks. */
export interface Problem {
    field: string;
    value: unknown;
    rule: string;
}

export function formatProblem(problem: Problem): string {
    return `${problem.field} = ${JSON.stringify(problem.value)}: ${problem.rule}`;
}

/**
 * Thrown before any resource is registered when inputs break a rule. It lists every problem at once,
 * one per line, and is a Pulumi `InputPropertiesError` so the engine can show each property path.
 */
export class InputValidationError extends pulumi.InputPropertiesError {
    readonly problems: Problem[];

    constructor(context: string, problems: Problem[]) {
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

export function checkGoDuration(field: string, value: string): Problem | undefined {
    return problemUnless(
        typeof value === "string" && GO_DURATION.test(value),
        field,
        value,
        "must be a Go duration made of numbers with units ms, s, m or h, such as 30s, 5m or 1h30m",
    );
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

/** A semver range as Flux's ImagePolicy accepts it (checked with the `semver` package). */
export function checkSemverRange(field: string, value: string): Problem | undefined {
    return problemUnless(
        typeof value === "string" && value.trim() !== "" && semver.validRange(value) !== null,
        field,
        value,
        "must be a semver range such as 1.1.x, ^1.2.0 or >=1.0.0 <2.0.0",
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
