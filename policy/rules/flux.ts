import { SYSTEM_NAMESPACES } from "../../components/flux/sync-placement.js";
import { FLUX_GROUP, isFluxObject, kubernetesKind, objectName, ofType, type Finding, type Rule, type Subject } from "../subject.js";

/** The API version Flux 2.9 serves and stores for each kind; older betas are deprecated or gone. */
export const FLUX_SERVED_VERSIONS: Record<string, string> = {
    GitRepository: "v1",
    OCIRepository: "v1",
    HelmRepository: "v1",
    HelmChart: "v1",
    Bucket: "v1",
    ExternalArtifact: "v1",
    Kustomization: "v1",
    HelmRelease: "v2",
    Receiver: "v1",
    Alert: "v1beta3",
    Provider: "v1beta3",
    ImageRepository: "v1",
    ImagePolicy: "v1",
    ImageUpdateAutomation: "v1",
};

const fluxObjects = (subjects: readonly Subject[]) => subjects.filter(isFluxObject);

export const fluxServedApis: Rule = {
    name: "flux-served-apis",
    description: "Every Flux object uses the API version the pinned Flux serves (v1 for sources, Kustomization, image automation and Receiver).",
    check: ({ subjects }) =>
        fluxObjects(subjects).flatMap((subject): Finding[] => {
            const { kind, version, group } = kubernetesKind(subject)!;
            const served = FLUX_SERVED_VERSIONS[kind];
            return served === undefined || served === version
                ? []
                : [{ urn: subject.urn, message: `${kind} ${objectName(subject)} uses ${group}/${version}; use ${group}/${served}` }];
        }),
};

const ECR_HOST = /^[0-9]{12}\.dkr\.ecr\.[a-z0-9-]+\.amazonaws\.com(\.cn)?(\/|$)/;

export const fluxEcrProviderAws: Rule = {
    name: "flux-ecr-provider-aws",
    description:
        "ImageRepositories of ECR images authenticate with `provider: aws` (the controller's IAM identity), and no static registry Secret for ECR exists.",
    check: ({ subjects }) => {
        const repositories = subjects
            .filter((s) => kubernetesKind(s)?.kind === "ImageRepository" && FLUX_GROUP.test(kubernetesKind(s)!.group))
            .filter((s) => ECR_HOST.test(String(s.props.spec?.image ?? "")))
            .filter((s) => s.props.spec?.provider !== "aws")
            .map((s) => ({
                urn: s.urn,
                message: `ImageRepository ${objectName(s)} reads ECR with provider ${JSON.stringify(s.props.spec?.provider ?? "generic")}; set spec.provider: aws and bind the controller to an IAM role`,
            }));
        const staticSecrets = subjects
            .filter((s) => kubernetesKind(s)?.kind === "Secret" && s.props.type === "kubernetes.io/dockerconfigjson")
            .filter((s) => /dkr\.ecr\./.test(JSON.stringify(s.props.stringData ?? s.props.data ?? {})) || s.props.stringData === undefined)
            .map((s) => ({ urn: s.urn, message: `Secret ${objectName(s)} holds static registry credentials; ECR tokens expire in 12 hours, use provider: aws instead` }));
        return [...repositories, ...staticSecrets];
    },
};

export const fluxGitSshBranch: Rule = {
    name: "flux-git-ssh-branch",
    description: "Every GitRepository clones over SSH (`ssh://git@...`) and names its branch explicitly.",
    check: ({ subjects }) =>
        fluxObjects(subjects)
            .filter((s) => kubernetesKind(s)?.kind === "GitRepository")
            .flatMap((s): Finding[] => {
                const problems: string[] = [];
                const url = String(s.props.spec?.url ?? "");
                if (!url.startsWith("ssh://git@")) {
                    problems.push(`url ${JSON.stringify(url)} is not of the form ssh://git@<host>/<owner>/<repo>`);
                }
                if (!s.props.spec?.ref?.branch) {
                    problems.push("spec.ref.branch is not set, so the remote's default branch decides what is deployed");
                }
                return problems.length === 0 ? [] : [{ urn: s.urn, message: `GitRepository ${objectName(s)}: ${problems.join("; ")}` }];
            }),
};

function containers(deployment: Subject): Array<{ name?: string; args?: string[] }> {
    return deployment.props.spec?.template?.spec?.containers ?? [];
}

export const fluxControllerHardening: Rule = {
    name: "flux-controller-hardening",
    description: "kustomize-controller runs with --no-remote-bases=true and no Flux controller has an --insecure-kubeconfig-* flag (Flux security guide).",
    check: ({ subjects }) => {
        const deployments = ofType(subjects, "kubernetes:apps/v1:Deployment").filter(
            (d) => d.props.metadata?.labels?.["app.kubernetes.io/part-of"] === "flux" || /-controller$/.test(String(d.props.metadata?.name ?? "")),
        );
        return deployments.flatMap((deployment): Finding[] => {
            const name = String(deployment.props.metadata?.name ?? deployment.name);
            const args = containers(deployment).flatMap((c) => c.args ?? []);
            const findings: Finding[] = [];
            if (name === "kustomize-controller" && !args.includes("--no-remote-bases=true")) {
                findings.push({ urn: deployment.urn, message: "kustomize-controller lacks --no-remote-bases=true, so kustomizations may pull bases from anywhere; add the flag" });
            }
            const insecure = args.filter((arg) => arg.startsWith("--insecure-kubeconfig"));
            if (insecure.length > 0) {
                findings.push({ urn: deployment.urn, message: `${name} runs with ${insecure.join(", ")}; remove it` });
            }
            return findings;
        });
    },
};

/** Which controller reconciles (and holds the finalizers of) each Flux API group. */
const CONTROLLER_OF_GROUP: Record<string, string> = {
    "source.toolkit.fluxcd.io": "source-controller",
    "kustomize.toolkit.fluxcd.io": "kustomize-controller",
    "helm.toolkit.fluxcd.io": "helm-controller",
    "notification.toolkit.fluxcd.io": "notification-controller",
    "image.toolkit.fluxcd.io": "image-reflector-controller",
};

export const fluxObjectsDependOnInstall: Rule = {
    name: "flux-objects-depend-on-install",
    description:
        "Every Flux object depends on its CRD and its controller, so it is created after them and destroyed while the controller can still clear its finalizer. Objects of a stack that does not install Flux are not checked.",
    check: ({ subjects }) => {
        const crds = ofType(subjects, "kubernetes:apiextensions.k8s.io/v1:CustomResourceDefinition");
        const controllers = ofType(subjects, "kubernetes:apps/v1:Deployment");
        return fluxObjects(subjects).flatMap((subject): Finding[] => {
            const { group, kind } = kubernetesKind(subject)!;
            const missing: string[] = [];
            const crd = crds.find((c) => c.props.spec?.group === group && c.props.spec?.names?.kind === kind);
            if (crd && !subject.dependencies.includes(crd.urn)) {
                missing.push(`the ${kind} CRD`);
            }
            const controllerName = kind === "ImageUpdateAutomation" ? "image-automation-controller" : CONTROLLER_OF_GROUP[group];
            const controller = controllers.find((d) => d.props.metadata?.name === controllerName);
            if (controller && !subject.dependencies.includes(controller.urn)) {
                missing.push(controllerName);
            }
            return missing.length === 0
                ? []
                : [{ urn: subject.urn, message: `${kind} ${objectName(subject)} does not depend on ${missing.join(" and ")}; pass the Flux install in dependsOn` }];
        });
    },
};

function normalisePath(path: string): string {
    return path.replace(/^\.\//, "").replace(/\/+$/, "");
}

export const automationPathNotRewritten: Rule = {
    name: "automation-path-not-rewritten",
    description:
        "Files under an ImageUpdateAutomation's update path that Pulumi commits ignore later content changes, so `pulumi up` never reverts a tag Flux committed.",
    check: ({ subjects }) => {
        const paths = fluxObjects(subjects)
            .filter((s) => kubernetesKind(s)?.kind === "ImageUpdateAutomation")
            .map((s) => normalisePath(String(s.props.spec?.update?.path ?? ".")));
        return ofType(subjects, "github:index/repositoryFile:RepositoryFile")
            .filter((file) => {
                const name = normalisePath(String(file.props.file ?? ""));
                return paths.some((path) => path === "" || path === "." || name === path || name.startsWith(`${path}/`));
            })
            .filter((file) => !file.ignoreChanges.includes("content"))
            .map((file) => ({
                urn: file.urn,
                message: `${file.props.file} lies under an image automation path but Pulumi would rewrite it on the next up; give it ignoreChanges: ["content"]`,
            }));
    },
};

/** Sources and syncs: `pulumi up` must not report success before Flux has fetched and applied. */
const AWAITED_KINDS = ["GitRepository", "OCIRepository", "HelmRepository", "Bucket", "Kustomization", "HelmRelease"];

export const fluxWaitsForReady: Rule = {
    name: "flux-waits-for-ready",
    description:
        "Every Flux source and sync object carries `pulumi.com/waitFor: condition=Ready` (and no skipAwait), so `pulumi up` fails with Flux's own message instead of reporting success before Flux fetched and applied.",
    check: ({ subjects }) =>
        fluxObjects(subjects)
            .filter((s) => AWAITED_KINDS.includes(kubernetesKind(s)!.kind))
            .filter((s) => {
                const annotations = s.props.metadata?.annotations ?? {};
                return !/\bcondition=Ready\b/.test(String(annotations["pulumi.com/waitFor"] ?? "")) || annotations["pulumi.com/skipAwait"] === "true";
            })
            .map((s) => ({
                urn: s.urn,
                message: `${kubernetesKind(s)!.kind} ${objectName(s)} does not wait for Ready; annotate it with pulumi.com/waitFor: condition=Ready and a pulumi.com/timeoutSeconds`,
            })),
};

/** The namespaces of the Flux controllers in the subjects (flux-system unless installed elsewhere). */
function fluxNamespaces(subjects: readonly Subject[]): string[] {
    const controllers = ofType(subjects, "kubernetes:apps/v1:Deployment").filter((d) => d.props.metadata?.labels?.["app.kubernetes.io/part-of"] === "flux");
    return [...new Set(controllers.map((d) => String(d.props.metadata?.namespace ?? "flux-system")))];
}

export const fluxInstallRetained: Rule = {
    name: "flux-install-retained",
    description:
        "Flux's CRDs and its namespace are retained on destroy (or protected): deleting a CRD deletes every object of its kind, and objects created from Git keep finalizers only the deleted controllers could clear. Checked where the source records retainOnDelete (the offline plan); under the engine only protect is known.",
    check: ({ subjects }) => {
        const namespaces = fluxNamespaces(subjects);
        return subjects
            .filter(
                (s) =>
                    (kubernetesKind(s)?.kind === "CustomResourceDefinition" && FLUX_GROUP.test(String(s.props.spec?.group ?? ""))) ||
                    (kubernetesKind(s)?.kind === "Namespace" && namespaces.includes(String(s.props.metadata?.name))),
            )
            .filter((s) => s.retainOnDelete === false && s.protect !== true)
            .map((s) => ({
                urn: s.urn,
                message: `${kubernetesKind(s)?.kind === "Namespace" ? "Flux's namespace" : "the Flux CRD"} ${objectName(s)} would be deleted on destroy, taking every object in it; set retainOnDelete: true`,
            }));
    },
};

export const fluxSyncOwnNamespace: Rule = {
    name: "flux-sync-own-namespace",
    description: "No Kustomization or HelmRelease targets a system namespace (kube-system, kube-public, kube-node-lease) or Flux's own namespace.",
    check: ({ subjects }) => {
        const fluxHomes = fluxNamespaces(subjects);
        return fluxObjects(subjects)
            .filter((s) => ["Kustomization", "HelmRelease"].includes(kubernetesKind(s)!.kind))
            .flatMap((s): Finding[] => {
                const target = s.props.spec?.targetNamespace;
                if (typeof target !== "string") {
                    return [];
                }
                const flux = fluxHomes.includes(target) || target === s.props.metadata?.namespace;
                return (SYSTEM_NAMESPACES as readonly string[]).includes(target) || flux
                    ? [{ urn: s.urn, message: `${kubernetesKind(s)!.kind} ${objectName(s)} applies into ${flux ? "Flux's own" : "the system"} namespace ${target}; give the app a namespace of its own` }]
                    : [];
            });
    },
};

export const fluxRules = [
    fluxServedApis,
    fluxEcrProviderAws,
    fluxGitSshBranch,
    fluxControllerHardening,
    fluxObjectsDependOnInstall,
    automationPathNotRewritten,
    fluxWaitsForReady,
    fluxInstallRetained,
    fluxSyncOwnNamespace,
];
