/**
 * An app team's stack on the lab's platform, as a team writes it in its own project: it owns no
 * cluster, no Flux and no repository. It reads what it needs from the platform stack's outputs
 * through a `pulumi.StackReference` (the kubeconfig, a secret; Flux's namespace; the GitRepository
 * and its branch) and adds its app to the running Flux: an AppSync of its own folder of the
 * platform's config repository into its own namespace, and an ImageAutomation that follows its image
 * and commits the chosen tags to that folder only. It uses the library's public entry only.
 */
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { AppSync, ImageAutomation, type KustomizationDeletionPolicy } from "eks-flux-gitops";

const config = new pulumi.Config();
const platformStack = config.require("platformStack");
const team = config.require("team");
const app = config.require("app");
const folder = config.require("path");

const platform = new pulumi.StackReference(platformStack);

/**
 * A name the platform stack exports, as a plain string: the components check names before anything
 * is registered, so they take strings, not outputs.
 */
async function platformName(output: string): Promise<string> {
    const { value } = await platform.getOutputDetails(output);
    if (typeof value !== "string" || value === "") {
        throw new Error(`the platform stack ${platformStack} exports no ${output} (a non-secret string); it has ${JSON.stringify(value)}`);
    }
    return value;
}

const [fluxNamespace, gitRepositoryName, gitBranch] = await Promise.all([platformName("fluxNamespace"), platformName("gitRepositoryName"), platformName("gitBranch")]);
const provider = new k8s.Provider(`${team}-cluster`, { kubeconfig: platform.requireOutput("kubeconfig") as pulumi.Output<string> });

const sync = new AppSync(
    team,
    {
        namespace: fluxNamespace,
        sourceRef: { name: gitRepositoryName },
        path: folder,
        targetNamespace: team,
        interval: config.require("syncInterval"),
        deletionPolicy: config.require("deletionPolicy") as KustomizationDeletionPolicy,
        readyTimeout: config.require("readyTimeout"),
    },
    { provider },
);

// The platform's own ImageUpdateAutomation updates only the platform's folder, so the team commits
// its tags with its own, limited to its folder.
const images = new ImageAutomation(
    team,
    {
        namespace: fluxNamespace,
        images: [{ name: app, image: config.require("image"), semverRange: config.require("semverRange") }],
        scanInterval: config.require("scanInterval"),
        insecureRegistry: config.getBoolean("insecureRegistry"),
        digestPinning: config.getBoolean("digestPinning"),
        automation: { gitRepository: gitRepositoryName, branch: gitBranch, updatePath: folder, interval: config.require("automationInterval") },
    },
    { provider },
);

export const kustomization = sync.name;
export const targetNamespace = team;
export const imagePolicy = images.policyNames[app];
