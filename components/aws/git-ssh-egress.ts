import { checkCidr, describeCoverage, familiesCoveredEntirely, isAnywhereCidr, parseCidr, type Problem } from "../validate.js";

/** Where the worker nodes may open SSH (TCP 22) connections for Git. */
export type GitSshDestinations =
    /** GitHub's published git ranges, looked up with `github.getIpRanges()` at each `pulumi up`. */
    | { kind: "github" }
    /** Explicit CIDRs, e.g. a GitLab instance or a self-hosted Git server. */
    | { kind: "cidrs"; cidrs: string[] }
    /** 0.0.0.0/0 and ::/0: only when asked for by name. */
    | { kind: "anywhere" };

export const SSH_PORT = 22;

/** Validates user-given destinations; "anywhere" CIDRs must be asked for with kind "anywhere". */
export function checkGitSshDestinations(field: string, destinations: GitSshDestinations): Problem[] {
    if (destinations.kind !== "cidrs") {
        return [];
    }
    if (destinations.cidrs.length === 0) {
        return [{ field: `${field}.cidrs`, value: destinations.cidrs, rule: "must list at least one CIDR, or use { kind: \"github\" }" }];
    }
    const problems = destinations.cidrs.flatMap((cidr, i) => {
        const problem = checkCidr(`${field}.cidrs[${i}]`, cidr);
        if (problem) {
            return [problem];
        }
        return isAnywhereCidr(cidr)
            ? [{ field: `${field}.cidrs[${i}]`, value: cidr, rule: 'opens SSH to the whole internet; if that is really meant, use { kind: "anywhere" }' }]
            : [];
    });
    const covered = familiesCoveredEntirely(destinations.cidrs);
    if (covered.length > 0 && !destinations.cidrs.some(isAnywhereCidr)) {
        problems.push({
            field: `${field}.cidrs`,
            value: destinations.cidrs,
            rule: `together cover ${describeCoverage(covered)}, which opens SSH to the whole internet; if that is really meant, use { kind: "anywhere" }`,
        });
    }
    return problems;
}

/** The IP families present in a CIDR list: one egress rule is made per family. */
export function cidrFamilies(cidrs: readonly string[]): Array<4 | 6> {
    const families = new Set(cidrs.map((cidr) => parseCidr(cidr)?.family).filter((f): f is 4 | 6 => f !== undefined));
    return ([4, 6] as const).filter((family) => families.has(family));
}

/** The CIDRs of a destination choice, given GitHub's published ranges when needed. */
export function destinationCidrs(destinations: GitSshDestinations, githubGitRanges: readonly string[]): string[] {
    switch (destinations.kind) {
        case "github":
            return [...githubGitRanges];
        case "cidrs":
            return [...destinations.cidrs];
        case "anywhere":
            return ["0.0.0.0/0", "::/0"];
    }
}
