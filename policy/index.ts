/**
 * The guardrails as a Pulumi policy pack: `pulumi preview --policy-pack policy`. Each rule is a stack
 * policy, mandatory unless the pack config (`--policy-pack-config`) sets its enforcementLevel.
 */
import { PolicyPack, type PolicyResource } from "@pulumi/policy";
import { allRules } from "./rules/index.js";
import type { Subject } from "./subject.js";

function toSubject(resource: PolicyResource): Subject {
    return {
        urn: resource.urn,
        type: resource.type,
        name: resource.name,
        props: resource.props,
        dependencies: resource.dependencies.map((d) => d.urn),
        ignoreChanges: resource.opts.ignoreChanges ?? [],
        protect: resource.opts.protect,
    };
}

new PolicyPack("eks-flux-gitops-guardrails", {
    enforcementLevel: "mandatory",
    policies: allRules.map((rule) => ({
        name: rule.name,
        description: rule.description,
        ...(rule.configProperties ? { configSchema: { properties: rule.configProperties as any } } : {}),
        validateStack: (args, reportViolation) => {
            const subjects = args.resources.map(toSubject);
            for (const finding of rule.check({ subjects, config: args.getConfig<Record<string, unknown>>() })) {
                reportViolation(finding.message, finding.urn);
            }
        },
    })),
});
