import { allRules } from "./rules/index.js";
import type { Rule, Subject } from "./subject.js";

export type EnforcementLevel = "mandatory" | "advisory" | "disabled";

/**
 * The pack's config, in the format `pulumi preview --policy-pack-config` reads: per rule name either
 * an enforcement level or an object with `enforcementLevel` and the rule's own settings.
 */
export type PackConfig = Record<string, EnforcementLevel | ({ enforcementLevel?: EnforcementLevel } & Record<string, unknown>)>;

export interface Violation {
    rule: string;
    level: EnforcementLevel;
    urn: string;
    message: string;
}

export function ruleSettings(config: PackConfig, rule: Rule): { level: EnforcementLevel; settings: Record<string, unknown> } {
    const entry = config[rule.name];
    if (entry === undefined) {
        return { level: "mandatory", settings: {} };
    }
    if (typeof entry === "string") {
        return { level: entry, settings: {} };
    }
    const { enforcementLevel, ...settings } = entry;
    return { level: enforcementLevel ?? "mandatory", settings };
}

/** Names in the config that are no rule of this pack: a typo there would silently disable nothing. */
export function unknownRuleNames(config: PackConfig, rules: readonly Rule[] = allRules): string[] {
    return Object.keys(config).filter((name) => name !== "all" && !rules.some((rule) => rule.name === name));
}

export function runRules(subjects: Subject[], config: PackConfig = {}, rules: readonly Rule[] = allRules): Violation[] {
    return rules.flatMap((rule) => {
        const { level, settings } = ruleSettings(config, rule);
        if (level === "disabled") {
            return [];
        }
        return rule.check({ subjects, config: settings }).map((finding) => ({ rule: rule.name, level, ...finding }));
    });
}
