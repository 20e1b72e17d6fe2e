import {
    assertValid,
    checkCidr,
    checkEcrRepositoryName,
    checkGitBranch,
    checkGoDuration,
    checkKubernetesLabelName,
    checkKubernetesName,
    checkRotation,
    checkSemverRange,
    checkUnique,
    describeCoverage,
    familiesCoveredEntirely,
    isAnywhereCidr,
    type Problem,
} from "../components/validate.js";
import { checkClusterAccessPrincipals, type ClusterAccessEntry } from "../components/aws/cluster-access.js";
import { KUSTOMIZATION_DELETION_POLICIES, type KustomizationDeletionPolicy } from "../components/flux/sync-manifests.js";
import { checkSeedServiceName, checkSyncPathApartFromBase, checkSyncTargetNamespace } from "../components/flux/sync-placement.js";

/** The namespace the stack installs Flux into. */
const FLUX_NAMESPACE = "flux-system";

/** The prod stack's settings, typed; see Pulumi.yaml for each key's meaning and default. */
export interface StackConfig {
    githubOwner: string;
    configRepository: string;
    branch: string;
    clusterName: string;
    kubernetesVersion: string;
    nodeInstanceTypes: string[];
    nodeDesiredSize: number;
    nodeMinSize: number;
    nodeMaxSize: number;
    clusterPublicAccessCidrs: string[];
    deployFromInsideVpc: boolean;
    /** deployRoleArn, previewRoleArn, clusterAdminArns and clusterViewerArns, as access entries. */
    clusterAccess: ClusterAccessEntry[];
    gitSshCidrs: string[];
    imageNamePrefix: string;
    apps: string[];
    initialTag: string;
    imagePolicies: Array<{ app: string; semverRange: string }>;
    imageAutomation: boolean;
    protectData: boolean;
    targetNamespace: string;
    syncPath: string;
    syncDeletionPolicy: KustomizationDeletionPolicy;
    sourceInterval: string;
    syncInterval: string;
    imageScanInterval: string;
    fluxReadyTimeout: string;
    imageDigestPinning: boolean;
    imagePushEvents: boolean;
    imagePushReceiverHost: string;
    imagePushIngressClass: string;
    imagePushRateLimitPerSecond: number;
    deployKeyRotation: number;
    receiverTokenRotation: number;
}

/** Reads one raw config value as Pulumi hands it to a program: a string, JSON for structured values. */
export type ConfigGetter = (key: string) => string | undefined;

const GITHUB_OWNER = /^[A-Za-z0-9](?:[A-Za-z0-9]|-(?=[A-Za-z0-9])){0,38}$/;
const GITHUB_REPOSITORY = /^[A-Za-z0-9._-]{1,100}$/;
const DOCKER_TAG = /^[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}$/;
const EKS_CLUSTER_NAME = /^[0-9A-Za-z][0-9A-Za-z_-]{0,99}$/;
const KUBERNETES_VERSION = /^1\.\d{2}$/;
const DNS_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

/**
 * Turns raw stack config into a typed {@link StackConfig}, or throws one error listing every
 * problem, each naming its config key (`project:key`), its value and the rule it breaks.
 */
export function readStackConfig(project: string, get: ConfigGetter): StackConfig {
    const problems: Problem[] = [];
    const key = (name: string) => `${project}:${name}`;

    const text = (name: string, required = false): string => {
        const value = get(key(name));
        if (value === undefined || value === "") {
            if (required) {
                problems.push({
                    field: key(name),
                    value: value ?? null,
                    rule: `is required: set it with \`pulumi config set ${name} <value>\``,
                });
            }
            return "";
        }
        return value;
    };
    const json = <T>(name: string, fallback: T, isShape: (v: unknown) => v is T, shape: string): T => {
        const raw = get(key(name));
        if (raw === undefined) {
            return fallback;
        }
        let value: unknown;
        try {
            value = JSON.parse(raw);
        } catch {
            value = raw;
        }
        if (!isShape(value)) {
            problems.push({ field: key(name), value, rule: `must be ${shape}` });
            return fallback;
        }
        return value;
    };
    const isStringList = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === "string");
    const isInteger = (v: unknown): v is number => Number.isInteger(v);
    const isBoolean = (v: unknown): v is boolean => typeof v === "boolean";
    const list = (name: string) => json(name, [] as string[], isStringList, "a list of strings");
    const integer = (name: string, fallback: number) => json(name, fallback, isInteger, "a whole number");
    const check = (ok: boolean, name: string, value: unknown, rule: string) => {
        if (!ok) {
            problems.push({ field: key(name), value, rule });
        }
    };
    const add = (problem: Problem | Problem[] | undefined) => {
        if (problem !== undefined) {
            problems.push(...(Array.isArray(problem) ? problem : [problem]));
        }
    };

    const githubOwner = text("githubOwner", true);
    if (githubOwner !== "") {
        check(
            GITHUB_OWNER.test(githubOwner),
            "githubOwner",
            githubOwner,
            "must be a GitHub user or organisation name: 1 to 39 letters, digits or single hyphens, not starting or ending with a hyphen",
        );
    }
    const configRepository = text("configRepository", true);
    check(
        configRepository === "" || (GITHUB_REPOSITORY.test(configRepository) && configRepository !== "." && configRepository !== ".."),
        "configRepository",
        configRepository,
        "must be a GitHub repository name: 1 to 100 letters, digits, '.', '_' or '-', and not '.' or '..'",
    );
    const branch = text("branch", true);
    if (branch !== "") {
        add(checkGitBranch(key("branch"), branch));
    }
    const clusterName = text("clusterName", true);
    check(
        clusterName === "" || EKS_CLUSTER_NAME.test(clusterName),
        "clusterName",
        clusterName,
        "must be an EKS cluster name: 1 to 100 letters, digits, '-' or '_', starting with a letter or digit",
    );
    const kubernetesVersion = text("kubernetesVersion", true);
    check(
        kubernetesVersion === "" || KUBERNETES_VERSION.test(kubernetesVersion),
        "kubernetesVersion",
        kubernetesVersion,
        "must be an EKS Kubernetes version as major.minor, such as 1.34",
    );

    const nodeInstanceTypes = list("nodeInstanceTypes");
    check(nodeInstanceTypes.length > 0, "nodeInstanceTypes", nodeInstanceTypes, "must name at least one instance type");
    const nodeMinSize = integer("nodeMinSize", 2);
    const nodeDesiredSize = integer("nodeDesiredSize", 2);
    const nodeMaxSize = integer("nodeMaxSize", 4);
    check(nodeMinSize >= 0, "nodeMinSize", nodeMinSize, "must be 0 or more");
    check(nodeMaxSize >= 1, "nodeMaxSize", nodeMaxSize, "must be 1 or more");
    check(
        nodeMinSize <= nodeDesiredSize && nodeDesiredSize <= nodeMaxSize,
        "nodeDesiredSize",
        nodeDesiredSize,
        `must lie between nodeMinSize (${nodeMinSize}) and nodeMaxSize (${nodeMaxSize})`,
    );

    const clusterPublicAccessCidrs = list("clusterPublicAccessCidrs");
    clusterPublicAccessCidrs.forEach((cidr, i) => {
        const field = `clusterPublicAccessCidrs[${i}]`;
        add(checkCidr(key(field), cidr));
        check(!isAnywhereCidr(cidr), field, cidr, "must not open the API endpoint to the whole internet; list the addresses that deploy");
    });
    const publicCoverage = familiesCoveredEntirely(clusterPublicAccessCidrs);
    check(
        publicCoverage.length === 0 || clusterPublicAccessCidrs.some(isAnywhereCidr),
        "clusterPublicAccessCidrs",
        clusterPublicAccessCidrs,
        `together cover ${describeCoverage(publicCoverage)}, which opens the API endpoint to the whole internet; list the addresses that deploy`,
    );

    const deployFromInsideVpc = json("deployFromInsideVpc", false, isBoolean, "true or false");
    // A private endpoint answers only inside the VPC: a GitHub-hosted runner or a laptop would build
    // the whole cluster and then time out at the first Kubernetes call.
    check(
        clusterPublicAccessCidrs.length > 0 || deployFromInsideVpc,
        "clusterPublicAccessCidrs",
        clusterPublicAccessCidrs,
        `is empty, so the API endpoint is private and \`pulumi up\` could reach it only from inside the VPC: list the deploying machine's egress CIDRs here, or set ${key("deployFromInsideVpc")} to true when pulumi runs inside the VPC (e.g. a self-hosted runner there)`,
    );

    const accessSources: Array<{ field: string; arn: string; access: ClusterAccessEntry["access"] }> = [];
    const deployRoleArn = text("deployRoleArn");
    if (deployRoleArn !== "") {
        accessSources.push({ field: key("deployRoleArn"), arn: deployRoleArn, access: "cluster-admin" });
    }
    const previewRoleArn = text("previewRoleArn");
    if (previewRoleArn !== "") {
        accessSources.push({ field: key("previewRoleArn"), arn: previewRoleArn, access: "view" });
    }
    list("clusterAdminArns").forEach((arn, i) => accessSources.push({ field: key(`clusterAdminArns[${i}]`), arn, access: "cluster-admin" }));
    list("clusterViewerArns").forEach((arn, i) => accessSources.push({ field: key(`clusterViewerArns[${i}]`), arn, access: "view" }));
    const clusterAccess = accessSources.map(({ arn, access }) => ({ principalArn: arn, access }));
    add(checkClusterAccessPrincipals(clusterAccess, (i) => accessSources[i].field));

    const gitSshCidrs = list("gitSshCidrs");
    gitSshCidrs.forEach((cidr, i) => add(checkCidr(key(`gitSshCidrs[${i}]`), cidr)));
    const sshCoverage = familiesCoveredEntirely(gitSshCidrs);
    check(
        sshCoverage.length === 0,
        "gitSshCidrs",
        gitSshCidrs,
        `together cover ${describeCoverage(sshCoverage)}, which opens SSH from the nodes to the whole internet; list your Git host's CIDRs, or leave gitSshCidrs empty for GitHub's published ranges`,
    );

    const imageNamePrefix = text("imageNamePrefix");
    const apps = list("apps");
    check(apps.length > 0, "apps", apps, "must list at least one app");
    add(checkUnique(key("apps"), apps));
    apps.forEach((app, i) => {
        add(checkKubernetesLabelName(key(`apps[${i}]`), app));
        add(checkEcrRepositoryName(key(`apps[${i}]`), imageNamePrefix === "" ? app : `${imageNamePrefix}/${app}`));
        if (checkKubernetesLabelName(key(`apps[${i}]`), app) === undefined) {
            add(checkSeedServiceName(key(`apps[${i}]`), app));
        }
    });
    const initialTag = text("initialTag", true);
    check(
        initialTag === "" || DOCKER_TAG.test(initialTag),
        "initialTag",
        initialTag,
        "must be an image tag: up to 128 letters, digits, '_', '.' or '-', not starting with '.' or '-'",
    );

    const imagePolicies: StackConfig["imagePolicies"] = [];
    list("imagePolicies").forEach((entry, i) => {
        const field = key(`imagePolicies[${i}]`);
        const match = /^([^=]+)=(.+)$/.exec(entry);
        if (!match) {
            problems.push({ field, value: entry, rule: 'must be "<app>=<semver range>", such as task-service=1.1.x' });
            return;
        }
        const [app, semverRange] = [match[1].trim(), match[2].trim()];
        if (!apps.includes(app)) {
            problems.push({ field, value: entry, rule: `names app "${app}", which is not in apps (${apps.join(", ")})` });
        }
        add(checkSemverRange(field, semverRange));
        imagePolicies.push({ app, semverRange });
    });
    add(checkUnique(key("imagePolicies"), imagePolicies.map((p) => p.app)).map((p) => ({ ...p, rule: "must give each app one policy; this app has one earlier in the list" })));

    const imageAutomation = json("imageAutomation", true, isBoolean, "true or false");
    check(
        imagePolicies.length === 0 || imageAutomation,
        "imageAutomation",
        imageAutomation,
        "must be true when imagePolicies are set, since the policies need the image controllers",
    );

    const protectData = json("protectData", true, isBoolean, "true or false");
    const targetNamespace = text("targetNamespace", true);
    if (targetNamespace !== "") {
        add(checkKubernetesLabelName(key("targetNamespace"), targetNamespace) ?? checkSyncTargetNamespace(key("targetNamespace"), targetNamespace, FLUX_NAMESPACE));
    }
    const syncPath = text("syncPath", true);
    check(
        syncPath === "" || (/^\.\/[^\s]*$/.test(syncPath) && !syncPath.split("/").includes("..")),
        "syncPath",
        syncPath,
        "must be a path inside the repository starting with ./ and without ..",
    );
    if (syncPath !== "") {
        add(checkSyncPathApartFromBase(key("syncPath"), syncPath));
    }
    const syncDeletionPolicy = text("syncDeletionPolicy", true) as KustomizationDeletionPolicy;
    check(
        (syncDeletionPolicy as string) === "" || KUSTOMIZATION_DELETION_POLICIES.includes(syncDeletionPolicy),
        "syncDeletionPolicy",
        syncDeletionPolicy,
        `must be one of ${KUSTOMIZATION_DELETION_POLICIES.join(", ")}`,
    );
    const interval = (name: string) => {
        const value = text(name, true);
        if (value !== "") {
            add(checkGoDuration(key(name), value));
        }
        return value;
    };
    const sourceInterval = interval("sourceInterval");
    const syncInterval = interval("syncInterval");
    const imageScanInterval = interval("imageScanInterval");
    const fluxReadyTimeout = interval("fluxReadyTimeout");

    const imageDigestPinning = json("imageDigestPinning", false, isBoolean, "true or false");
    check(!imageDigestPinning || imagePolicies.length > 0, "imageDigestPinning", imageDigestPinning, "needs imagePolicies: only the images Flux updates are pinned");
    const imagePushEvents = json("imagePushEvents", false, isBoolean, "true or false");
    check(!imagePushEvents || imagePolicies.length > 0, "imagePushEvents", imagePushEvents, "needs imagePolicies: the push events rescan the ImageRepositories of the apps with a policy");
    const imagePushReceiverHost = text("imagePushReceiverHost", imagePushEvents);
    check(
        imagePushReceiverHost === "" || DNS_NAME.test(imagePushReceiverHost),
        "imagePushReceiverHost",
        imagePushReceiverHost,
        "must be a DNS name such as flux-webhook.example.com, with a certificate the Ingress serves",
    );
    const imagePushIngressClass = text("imagePushIngressClass");
    if (imagePushIngressClass !== "") {
        add(checkKubernetesName(key("imagePushIngressClass"), imagePushIngressClass));
    }
    const imagePushRateLimitPerSecond = integer("imagePushRateLimitPerSecond", 5);
    check(
        imagePushRateLimitPerSecond >= 1 && imagePushRateLimitPerSecond <= 300,
        "imagePushRateLimitPerSecond",
        imagePushRateLimitPerSecond,
        "must be from 1 to 300 calls per second (EventBridge's default and usual quota per API destination is 300)",
    );

    const deployKeyRotation = integer("deployKeyRotation", 0);
    add(checkRotation(key("deployKeyRotation"), deployKeyRotation));
    const receiverTokenRotation = integer("receiverTokenRotation", 0);
    add(checkRotation(key("receiverTokenRotation"), receiverTokenRotation));

    assertValid(`stack config of project ${project}`, [problems]);
    return {
        githubOwner,
        configRepository,
        branch,
        clusterName,
        kubernetesVersion,
        nodeInstanceTypes,
        nodeDesiredSize,
        nodeMinSize,
        nodeMaxSize,
        clusterPublicAccessCidrs,
        deployFromInsideVpc,
        clusterAccess,
        gitSshCidrs,
        imageNamePrefix,
        apps,
        initialTag,
        imagePolicies,
        imageAutomation,
        protectData,
        targetNamespace,
        syncPath,
        syncDeletionPolicy,
        sourceInterval,
        syncInterval,
        imageScanInterval,
        fluxReadyTimeout,
        imageDigestPinning,
        imagePushEvents,
        imagePushReceiverHost,
        imagePushIngressClass,
        imagePushRateLimitPerSecond,
        deployKeyRotation,
        receiverTokenRotation,
    };
}
