import * as semver from "semver";
import type { Problem } from "../validate.js";

/** One rule of an ECR lifecycle policy document. */
export interface LifecycleRule {
    rulePriority: number;
    description?: string;
    selection: {
        tagStatus: "tagged" | "untagged" | "any";
        tagPatternList?: string[];
        tagPrefixList?: string[];
        countType: "imageCountMoreThan" | "sinceImagePushed";
        countUnit?: "days";
        countNumber: number;
    };
    action: { type: "expire" };
}

export interface TaggedExpiry {
    /** ECR tag patterns (`*` wildcards) of throwaway images, e.g. `pr-*`. */
    tagPatterns: string[];
    /** How many of the newest matching images to keep. */
    keep: number;
}

export interface LifecycleOptions {
    /** Days after which untagged images are expired. */
    untaggedExpiryDays: number;
    /** Extra rules expiring throwaway tags; never allowed to match a tag an ImagePolicy may select. */
    taggedExpiry: TaggedExpiry[];
}

/** Tags an ImagePolicy with `range` may select: versions inside the range, bare and with a leading v. */
export function selectableTags(range: string): string[] {
    const lowest = semver.minVersion(range);
    if (!lowest) {
        return [];
    }
    const candidates = [
        lowest.version,
        semver.inc(lowest, "patch")!,
        `${lowest.major}.${lowest.minor}.${lowest.patch + 10}`,
        `${lowest.major}.${lowest.minor}.${lowest.patch + 123}`,
        semver.inc(lowest, "minor")!,
        `${lowest.major}.${lowest.minor + 12}.0`,
        semver.inc(lowest, "major")!,
        `${lowest.major + 10}.0.0`,
    ].filter((version) => semver.satisfies(version, range));
    return [...new Set(candidates)].flatMap((version) => [version, `v${version}`]);
}

/** ECR lifecycle tag patterns: `*` matches any run of characters, everything else literally. */
export function tagPatternMatches(pattern: string, tag: string): boolean {
    const regex = new RegExp(`^${pattern.split("*").map((part) => part.replace(/[.+?^${}()|[\]\\]/g, "\\$&")).join(".*")}$`);
    return regex.test(tag);
}

interface SelectionLike {
    selection?: { tagStatus?: string; tagPatternList?: string[]; tagPrefixList?: string[] };
    action?: { type?: string };
}

/** The tags of `tags` that a lifecycle rule could expire. */
export function expirableTags(rule: SelectionLike, tags: readonly string[]): string[] {
    const selection = rule.selection ?? {};
    if (rule.action?.type !== "expire" || selection.tagStatus === "untagged") {
        return [];
    }
    if (selection.tagStatus === "any") {
        return [...tags];
    }
    return tags.filter(
        (tag) =>
            (selection.tagPatternList ?? []).some((pattern) => tagPatternMatches(pattern, tag)) ||
            (selection.tagPrefixList ?? []).some((prefix) => tag.startsWith(prefix)),
    );
}

/** Checks the tagged-expiry rules of one app against the semver range its ImagePolicy selects. */
export function checkTaggedExpiry(field: string, taggedExpiry: readonly TaggedExpiry[], semverRange: string | undefined): Problem[] {
    return taggedExpiry.flatMap((expiry, i) => {
        const problems: Problem[] = [];
        if (expiry.tagPatterns.length === 0) {
            problems.push({ field: `${field}[${i}].tagPatterns`, value: expiry.tagPatterns, rule: "must list at least one tag pattern" });
        }
        if (!Number.isInteger(expiry.keep) || expiry.keep < 1) {
            problems.push({ field: `${field}[${i}].keep`, value: expiry.keep, rule: "must be a whole number, 1 or more" });
        }
        expiry.tagPatterns.forEach((pattern, j) => {
            if (pattern.split("*").length - 1 > 4 || !/^[A-Za-z0-9_.*-]+$/.test(pattern)) {
                problems.push({ field: `${field}[${i}].tagPatterns[${j}]`, value: pattern, rule: "must be an ECR tag pattern: tag characters and at most four '*' wildcards" });
                return;
            }
            const hit = semverRange ? selectableTags(semverRange).filter((tag) => tagPatternMatches(pattern, tag)) : [];
            if (hit.length > 0) {
                problems.push({
                    field: `${field}[${i}].tagPatterns[${j}]`,
                    value: pattern,
                    rule: `could expire ${hit.slice(0, 3).join(", ")}, which the ImagePolicy range ${semverRange} may select; use a pattern no release tag matches, such as pr-*`,
                });
            }
        });
        return problems;
    });
}

/** The lifecycle policy document: untagged images expire; tagged ones only through explicit throwaway patterns. */
export function buildLifecyclePolicy(options: LifecycleOptions): { rules: LifecycleRule[] } {
    const rules: LifecycleRule[] = [
        {
            rulePriority: 1,
            description: `Expire untagged images after ${options.untaggedExpiryDays} days`,
            selection: { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: options.untaggedExpiryDays },
            action: { type: "expire" },
        },
        ...options.taggedExpiry.map(
            (expiry, i): LifecycleRule => ({
                rulePriority: i + 2,
                description: `Keep the newest ${expiry.keep} images tagged ${expiry.tagPatterns.join(", ")}`,
                selection: { tagStatus: "tagged", tagPatternList: expiry.tagPatterns, countType: "imageCountMoreThan", countNumber: expiry.keep },
                action: { type: "expire" },
            }),
        ),
    ];
    return { rules };
}
