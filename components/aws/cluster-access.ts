import type { Problem } from "../validate.js";

/**
 * What an IAM principal may do in the cluster, as an EKS access policy: `cluster-admin` is
 * AmazonEKSClusterAdminPolicy (what `pulumi up` needs: it creates CRDs, ClusterRoles and namespaces),
 * `view` is AmazonEKSViewPolicy (read, no Secrets).
 */
export type ClusterAccessLevel = "cluster-admin" | "view";

/** One IAM principal given access to the cluster through an EKS access entry. */
export interface ClusterAccessEntry {
    /** IAM role or user ARN (`arn:aws:iam::<account>:role/<name>`), not an STS session ARN. */
    principalArn: string;
    access: ClusterAccessLevel;
}

export const ACCESS_POLICIES: Record<ClusterAccessLevel, string> = {
    "cluster-admin": "AmazonEKSClusterAdminPolicy",
    view: "AmazonEKSViewPolicy",
};

const IAM_PRINCIPAL = /^arn:aws(-cn|-us-gov)?:iam::[0-9]{12}:(role|user)\/[\w+=,.@/-]{1,512}$/;
const STS_SESSION = /^arn:aws(-cn|-us-gov)?:sts::[0-9]{12}:assumed-role\//;

/**
 * Checks one principal ARN. EKS access entries take the IAM role or user, not the STS session a
 * role assumption shows in `aws sts get-caller-identity`.
 */
export function checkPrincipalArn(field: string, arn: string): Problem | undefined {
    if (IAM_PRINCIPAL.test(arn)) {
        return undefined;
    }
    return {
        field,
        value: arn,
        rule: STS_SESSION.test(arn)
            ? "is an STS session ARN; give the IAM role's ARN, arn:aws:iam::<account>:role/<name>"
            : "must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/deploy",
    };
}

/** Checks every principal ARN and that none is listed twice; `fieldOf(i)` names where entry i's ARN was written. */
export function checkClusterAccessPrincipals(entries: readonly ClusterAccessEntry[], fieldOf: (index: number) => string): Problem[] {
    const firstIndex = new Map<string, number>();
    return entries.flatMap((entry, i) => {
        const problems: Problem[] = [];
        const bad = checkPrincipalArn(fieldOf(i), entry.principalArn);
        if (bad) {
            problems.push(bad);
        }
        const earlier = firstIndex.get(entry.principalArn);
        if (earlier !== undefined) {
            problems.push({
                field: fieldOf(i),
                value: entry.principalArn,
                rule: `is already given access by ${fieldOf(earlier)}; EKS allows one access entry per principal`,
            });
        } else {
            firstIndex.set(entry.principalArn, i);
        }
        return problems;
    });
}

/** The key of a principal's entry in pulumi-eks's `accessEntries`: from the ARN, so reordering the list changes nothing. */
export function accessEntryKey(principalArn: string): string {
    return principalArn.replace(/^arn:[^:]+:iam::/, "").replace(/[^A-Za-z0-9]+/g, "-");
}

/** The ARN of an access level's EKS access policy (these are EKS's, not IAM policies). */
export function accessPolicyArn(partition: string, access: ClusterAccessLevel): string {
    return `arn:${partition}:eks::aws:cluster-access-policy/${ACCESS_POLICIES[access]}`;
}
