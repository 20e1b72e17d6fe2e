import { expirableTags, selectableTags, type LifecycleRule } from "../../components/aws/ecr-lifecycle-policy.js";
import { kubernetesKind, ofType, parseJson, type Finding, type Rule, type Subject } from "../subject.js";

const REPOSITORY = "aws:ecr/repository:Repository";
const ECR_IMAGE = /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(?:\.cn)?\/(.+)$/;

const repositoryName = (repository: Subject): string => String(repository.props.name ?? repository.name);

export const ecrScanOnPush: Rule = {
    name: "ecr-scan-on-push",
    description: "Every ECR repository scans images on push (CKV_AWS_163, AWS-0030).",
    check: ({ subjects }) =>
        ofType(subjects, REPOSITORY)
            .filter((r) => r.props.imageScanningConfiguration?.scanOnPush !== true)
            .map((r) => ({ urn: r.urn, message: `${repositoryName(r)}: set imageScanningConfiguration.scanOnPush to true` })),
};

export const ecrImmutableTags: Rule = {
    name: "ecr-immutable-tags",
    description: "Every ECR repository has immutable tags, so a tag Flux selected never changes under it (CKV_AWS_51, AWS-0031).",
    check: ({ subjects }) =>
        ofType(subjects, REPOSITORY)
            .filter((r) => r.props.imageTagMutability !== "IMMUTABLE")
            .map((r) => ({
                urn: r.urn,
                message: `${repositoryName(r)}: imageTagMutability is ${JSON.stringify(r.props.imageTagMutability ?? "MUTABLE")}; set it to IMMUTABLE`,
            })),
};

export const ecrKmsEncryption: Rule = {
    name: "ecr-kms-encryption",
    description: "Every ECR repository encrypts images with KMS (CKV_AWS_136, AWS-0033).",
    check: ({ subjects }) =>
        ofType(subjects, REPOSITORY)
            .filter((r) => !(r.props.encryptionConfigurations ?? []).some((c: { encryptionType?: string }) => c.encryptionType === "KMS"))
            .map((r) => ({ urn: r.urn, message: `${repositoryName(r)}: set encryptionConfigurations to [{ encryptionType: "KMS", kmsKey: <key ARN> }]` })),
};

/** Semver ranges of the ImagePolicies that read each ECR repository, by repository name. */
function policyRangesByRepository(subjects: readonly Subject[]): Map<string, string[]> {
    const repositories = subjects.filter((s) => kubernetesKind(s)?.kind === "ImageRepository");
    const result = new Map<string, string[]>();
    for (const policy of subjects.filter((s) => kubernetesKind(s)?.kind === "ImagePolicy")) {
        const range = policy.props.spec?.policy?.semver?.range;
        const ref = policy.props.spec?.imageRepositoryRef ?? {};
        const namespace = ref.namespace ?? policy.props.metadata?.namespace;
        const imageRepository = repositories.find(
            (r) => r.props.metadata?.name === ref.name && (r.props.metadata?.namespace ?? namespace) === namespace,
        );
        const name = ECR_IMAGE.exec(String(imageRepository?.props.spec?.image ?? ""))?.[1];
        if (typeof range === "string" && name) {
            result.set(name, [...(result.get(name) ?? []), range]);
        }
    }
    return result;
}

export const ecrLifecycleKeepsSelectableTags: Rule = {
    name: "ecr-lifecycle-keeps-selectable-tags",
    description:
        "Every ECR repository has a lifecycle policy (so untagged images do not pile up), and no rule of it can expire a tag that an ImagePolicy's semver range may select.",
    check: ({ subjects }) => {
        const ranges = policyRangesByRepository(subjects);
        const lifecycles = ofType(subjects, "aws:ecr/lifecyclePolicy:LifecyclePolicy");
        return ofType(subjects, REPOSITORY).flatMap((repository): Finding[] => {
            const name = repositoryName(repository);
            const lifecycle = lifecycles.find((l) => l.props.repository === name || l.dependencies.includes(repository.urn));
            if (!lifecycle) {
                return [{ urn: repository.urn, message: `${name} has no lifecycle policy; add one that expires untagged images` }];
            }
            const document = parseJson(lifecycle.props.policy);
            if (!document || !Array.isArray(document.rules)) {
                return [{ urn: lifecycle.urn, message: `${name}: the lifecycle policy is not a JSON document with rules` }];
            }
            return (ranges.get(name) ?? []).flatMap((range) =>
                (document.rules as LifecycleRule[]).flatMap((rule): Finding[] => {
                    const hit = expirableTags(rule, selectableTags(range));
                    return hit.length === 0
                        ? []
                        : [
                              {
                                  urn: lifecycle.urn,
                                  message: `${name}: lifecycle rule ${rule.rulePriority ?? "?"} can expire ${hit.slice(0, 3).join(", ")}, which the ImagePolicy range ${range} may select; narrow its tagPatternList/tagPrefixList or select untagged images only`,
                              },
                          ];
                }),
            );
        });
    },
};

function allowsAnyone(statement: { Effect?: string; Principal?: unknown; Condition?: unknown }): boolean {
    const principal = statement.Principal;
    const anyone =
        principal === "*" ||
        (typeof principal === "object" && principal !== null && [(principal as { AWS?: unknown }).AWS].flat().includes("*"));
    return statement.Effect === "Allow" && anyone && statement.Condition === undefined;
}

export const ecrNoPublicPolicy: Rule = {
    name: "ecr-no-public-policy",
    description: "No ECR repository policy grants access to everyone (CKV_AWS_32, AWS-0032).",
    check: ({ subjects }) =>
        ofType(subjects, "aws:ecr/repositoryPolicy:RepositoryPolicy").flatMap((policy): Finding[] => {
            const document = parseJson(policy.props.policy);
            const statements = [document?.Statement ?? []].flat();
            return statements.some(allowsAnyone)
                ? [{ urn: policy.urn, message: `repository policy of ${policy.props.repository} allows Principal "*" without a condition; name the accounts or roles instead` }]
                : [];
        }),
};

export const ecrNoForceDelete: Rule = {
    name: "ecr-no-force-delete",
    description: "No ECR repository sets forceDelete, so `pulumi destroy` or a replacement stops at a repository that still holds images instead of deleting them.",
    check: ({ subjects }) =>
        ofType(subjects, REPOSITORY)
            .filter((r) => r.props.forceDelete === true)
            .map((r) => ({ urn: r.urn, message: `${repositoryName(r)} has forceDelete: true, so destroying it deletes every image; remove forceDelete` })),
};

export const ecrRules = [ecrScanOnPush, ecrImmutableTags, ecrKmsEncryption, ecrLifecycleKeepsSelectableTags, ecrNoPublicPolicy, ecrNoForceDelete];
