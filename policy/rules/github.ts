import { kubernetesKind, ofType, type Rule } from "../subject.js";

const REPOSITORY = "github:index/repository:Repository";

export const githubRepositoryPrivate: Rule = {
    name: "github-repository-private",
    description: "The config repository is private: it names the cluster's apps, images and namespaces.",
    check: ({ subjects }) =>
        ofType(subjects, REPOSITORY)
            .filter((r) => r.props.visibility !== "private" && !(r.props.visibility === undefined && r.props.private === true))
            .map((r) => ({ urn: r.urn, message: `${r.props.name ?? r.name} is ${r.props.visibility ?? "public"}; set visibility: "private"` })),
};

export const githubVulnerabilityAlerts: Rule = {
    name: "github-vulnerability-alerts",
    description: "Dependabot vulnerability alerts are on for the config repository.",
    check: ({ subjects }) =>
        ofType(subjects, REPOSITORY)
            .filter((r) => r.props.vulnerabilityAlerts !== true)
            .map((r) => ({ urn: r.urn, message: `${r.props.name ?? r.name}: set vulnerabilityAlerts: true` })),
};

export const githubArchiveOnDestroy: Rule = {
    name: "github-archive-on-destroy",
    description: "Destroying the stack archives the config repository instead of deleting its Git history.",
    check: ({ subjects }) =>
        ofType(subjects, REPOSITORY)
            .filter((r) => r.props.archiveOnDestroy !== true)
            .map((r) => ({ urn: r.urn, message: `${r.props.name ?? r.name}: set archiveOnDestroy: true so a destroy keeps the history` })),
};

export const deployKeyReadOnly: Rule = {
    name: "deploy-key-read-only",
    description: "Deploy keys are read-only unless an ImageUpdateAutomation pushes commits with them.",
    check: ({ subjects }) => {
        const pushes = subjects.some((s) => kubernetesKind(s)?.kind === "ImageUpdateAutomation");
        return pushes
            ? []
            : ofType(subjects, "github:index/repositoryDeployKey:RepositoryDeployKey")
                  .filter((key) => key.props.readOnly !== true)
                  .map((key) => ({ urn: key.urn, message: `deploy key ${key.props.title ?? key.name} may push, yet no ImageUpdateAutomation needs that; set readOnly: true` }));
    },
};

export const githubRules = [githubRepositoryPrivate, githubVulnerabilityAlerts, githubArchiveOnDestroy, deployKeyReadOnly];
