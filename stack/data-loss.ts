import type { PlanResource } from "./plan-report.js";

/** A kind of resource that holds users' data, and the inputs whose change makes the provider replace it. */
interface DataHolder {
    type: string;
    describe: (inputs: Record<string, unknown>) => string;
    /** What a replacement or deletion loses. */
    holds: string;
    /** Inputs that force a new resource (the provider's replace-on-change properties). */
    replacedOnChangeOf: string[];
    /** The stack config keys that drive those inputs, for the way back. */
    settings: string;
}

export const DATA_HOLDERS: readonly DataHolder[] = [
    {
        type: "eks:index:Cluster",
        describe: (inputs) => `EKS cluster ${inputs.name}`,
        holds: "every workload, Secret and volume in the cluster",
        replacedOnChangeOf: ["name"],
        settings: "clusterName",
    },
    {
        type: "aws:ecr/repository:Repository",
        describe: (inputs) => `ECR repository ${inputs.name}`,
        holds: "every image pushed to it",
        replacedOnChangeOf: ["name"],
        settings: "imageNamePrefix and apps",
    },
    {
        type: "github:index/repository:Repository",
        describe: (inputs) => `GitHub repository ${inputs.name}`,
        holds: "its Git history, Flux's tag commits included (archived, or deleted without archiveOnDestroy)",
        replacedOnChangeOf: [],
        settings: "configRepository",
    },
    {
        type: "aws:kms/key:Key",
        describe: (inputs) => `KMS key "${inputs.description}"`,
        holds: "the only way to decrypt what it encrypted (images, Kubernetes Secrets)",
        replacedOnChangeOf: [],
        settings: "the setting that removed it",
    },
];

const HOW_TO_PROCEED =
    "pulumi preview refuses it too while protectData is true. To keep the data, set the changed key back. " +
    "To lose it on purpose, run one `pulumi up` with protectData=false (plan it with --allow-data-loss), then set protectData back to true.";

/**
 * What going from the `before` plan to the `after` plan would destroy: data-holding resources that
 * disappear (same URN no longer registered) or whose replace-forcing inputs change. One message per
 * resource, saying what would be lost and how to proceed; empty when nothing is.
 */
export function dataLosses(before: readonly PlanResource[], after: readonly PlanResource[]): string[] {
    const next = new Map(after.map((resource) => [resource.urn, resource]));
    return before.flatMap((old) => {
        const holder = DATA_HOLDERS.find((h) => h.type === old.type);
        if (!holder) {
            return [];
        }
        const what = holder.describe(old.inputs);
        const current = next.get(old.urn);
        if (!current) {
            return [`would delete ${what} (${old.urn}), losing ${holder.holds}; it left the program (see ${holder.settings}). ${HOW_TO_PROCEED}`];
        }
        const changed = holder.replacedOnChangeOf.filter((input) => JSON.stringify(old.inputs[input]) !== JSON.stringify(current.inputs[input]));
        if (changed.length === 0) {
            return [];
        }
        const changes = changed.map((input) => `${input}: ${JSON.stringify(old.inputs[input])} -> ${JSON.stringify(current.inputs[input])}`).join(", ");
        return [`would replace ${what} (${changes}; see ${holder.settings}), losing ${holder.holds}. ${HOW_TO_PROCEED}`];
    });
}
