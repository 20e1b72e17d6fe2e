import { FLUX_GROUP, kubernetesKind, objectName, ofType, parseJson, type Finding, type Rule, type Subject } from "../subject.js";

/** Receiver types that Git hosts call; every other type is an event receiver (registries, CI, generic callers). */
const GIT_HOST_RECEIVERS = new Set(["github", "gitlab", "bitbucket"]);

const ECR_IMAGE = /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?\/(.+)$/;

const ofKind = (subjects: readonly Subject[], kind: string) => subjects.filter((s) => kubernetesKind(s)?.kind === kind && FLUX_GROUP.test(kubernetesKind(s)!.group));

/** The stack's own ECR repositories, by name. */
function stackRepositories(subjects: readonly Subject[]): Set<string> {
    return new Set(ofType(subjects, "aws:ecr/repository:Repository").map((s) => s.props.name).filter((name): name is string => typeof name === "string"));
}

export const eventReceiverOwnRegistry: Rule = {
    name: "event-receiver-own-registry",
    description:
        "An event Receiver (any type but github, gitlab, bitbucket) only rescans ImageRepositories, named one by one, of images in the stack's own ECR repositories; ECR push rules only match those repositories.",
    check: ({ subjects }) => {
        const own = stackRepositories(subjects);
        const imageRepositories = new Map(ofKind(subjects, "ImageRepository").map((s) => [`${s.props.metadata?.namespace ?? "default"}/${s.props.metadata?.name}`, s]));
        const receivers = ofKind(subjects, "Receiver").filter((s) => typeof s.props.spec?.type === "string" && !GIT_HOST_RECEIVERS.has(s.props.spec.type));
        const findings: Finding[] = receivers.flatMap((receiver) =>
            ((receiver.props.spec?.resources ?? []) as Array<Record<string, string>>).flatMap((resource): Finding[] => {
                const target = `${resource.kind} ${resource.name}`;
                if (resource.kind !== "ImageRepository" || resource.name === "*") {
                    return [{ urn: receiver.urn, message: `Receiver ${objectName(receiver)} (${receiver.props.spec.type}) targets ${target}; an event receiver may only rescan ImageRepositories named one by one` }];
                }
                const key = `${resource.namespace ?? receiver.props.metadata?.namespace ?? "default"}/${resource.name}`;
                const image = imageRepositories.get(key)?.props.spec?.image;
                if (image === undefined) {
                    return [{ urn: receiver.urn, message: `Receiver ${objectName(receiver)} targets ImageRepository ${key}, which this stack does not define` }];
                }
                // An image still unknown at preview (a repository created in the same update) cannot be judged.
                if (typeof image !== "string") {
                    return [];
                }
                const repository = ECR_IMAGE.exec(image)?.[2];
                return repository !== undefined && own.has(repository)
                    ? []
                    : [{ urn: receiver.urn, message: `Receiver ${objectName(receiver)} targets ImageRepository ${key} of ${image}, which is not one of the stack's ECR repositories (${[...own].join(", ") || "none"})` }];
            }),
        );
        for (const rule of ofType(subjects, "aws:cloudwatch/eventRule:EventRule")) {
            const pattern = parseJson(rule.props.eventPattern);
            if (!pattern || !(pattern.source ?? []).includes("aws.ecr")) {
                continue;
            }
            const names = pattern.detail?.["repository-name"];
            const foreign = Array.isArray(names) ? names.filter((name: unknown) => typeof name !== "string" || !own.has(name)) : ["(any repository)"];
            if (foreign.length > 0) {
                findings.push({ urn: rule.urn, message: `EventBridge rule ${rule.name} sends ECR events of ${foreign.map((n: unknown) => JSON.stringify(n)).join(", ")}, outside the stack's ECR repositories; list detail.repository-name from them` });
            }
        }
        return findings;
    },
};

export const receiverRules = [eventReceiverOwnRegistry];
