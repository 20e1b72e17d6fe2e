import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertValid, checkGitBranch, checkGoDuration, checkKubernetesLabelName, checkKubernetesName, checkSemverRange, checkUnique, type Problem } from "../validate.js";
import { checkCommitMessageTemplate, DEFAULT_COMMIT_MESSAGE_TEMPLATE } from "./commit-message.js";
import { childOptions } from "../child-options.js";
import { imagePolicy, imagePolicyName, imageRepository, imageUpdateAutomation } from "./image-manifests.js";

export interface AutomatedImage {
    /** App name; names the ImageRepository and ImagePolicy (the setter markers refer to it). */
    name: string;
    /** Image repository without tag, e.g. an ECR URL. */
    image: pulumi.Input<string>;
    /** Semver range of tags to deploy, e.g. 1.1.x. */
    semverRange: string;
}

export interface ImageAutomationArgs {
    /** Namespace of the Flux objects. @default "flux-system" */
    namespace?: string;
    /** The images Flux watches. */
    images: AutomatedImage[];
    /** How often tags are scanned. @default "5m" */
    scanInterval?: string;
    /** Registry authentication: aws for ECR through the controller's IAM role; generic for others. @default "aws" for ECR images, else "generic" */
    provider?: "aws" | "generic";
    /** Plain-HTTP registry (local test registries only). @default false */
    insecureRegistry?: boolean;
    /**
     * Pin images by digest as well as tag: each ImagePolicy reflects its chosen tag's digest
     * (`digestReflectionPolicy: IfNotPresent`, enough for immutable tags), which the Setters strategy
     * writes through `:digest` markers. @default false
     */
    digestPinning?: boolean;
    /** The Git side: omit it to only report the latest tags (no commits). */
    automation?: {
        /** Name of the ImageUpdateAutomation. @default the component's name */
        name?: string;
        /** The GitRepository to commit to. */
        gitRepository: string;
        /** Branch to check out. @default "main" */
        branch?: string;
        /** Branch to push to. @default the checkout branch */
        pushBranch?: string;
        /** Commit author. @default fluxcdbot <fluxcdbot@users.noreply.github.com> */
        author?: { name: string; email: string };
        /** Go template of the commit message on Flux >= 2.7 data (.Changed). @default DEFAULT_COMMIT_MESSAGE_TEMPLATE */
        messageTemplate?: string;
        /** Folder whose setter markers are updated, starting with ./ */
        updatePath: string;
        /** How often the automation runs. @default "1m" */
        interval?: string;
    };
}

export const FLUX_BOT = { name: "fluxcdbot", email: "fluxcdbot@users.noreply.github.com" };

/**
 * Flux image update automation: per image an ImageRepository (ECR through `provider: aws`) and an
 * ImagePolicy with a semver range checked at preview, and one ImageUpdateAutomation that commits the
 * chosen tags through the setter markers in Git.
 */
export class ImageAutomation extends pulumi.ComponentResource {
    /** App name → ImagePolicy name, for the overlay's setter markers. */
    public readonly policyNames: Record<string, string>;
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: ImageAutomationArgs, opts?: pulumi.ComponentResourceOptions) {
        const namespace = args.namespace ?? "flux-system";
        const scanInterval = args.scanInterval ?? "5m";
        const automation = args.automation;
        const problems: Array<Problem | Problem[] | undefined> = [
            checkKubernetesLabelName("namespace", namespace),
            checkGoDuration("scanInterval", scanInterval),
            args.images.length === 0 ? { field: "images", value: [], rule: "must list at least one image" } : undefined,
            checkUnique("images", args.images.map((i) => i.name)).map((p) => ({ ...p, field: `${p.field}.name` })),
            ...args.images.flatMap((image, i) => [
                checkKubernetesName(`images[${i}].name`, image.name),
                checkSemverRange(`images[${i}].semverRange`, image.semverRange),
                typeof image.image === "string" && /[:@]/.test(image.image.split("/").pop() ?? "")
                    ? { field: `images[${i}].image`, value: image.image, rule: "must be an image repository without tag or digest" }
                    : undefined,
            ]),
        ];
        if (automation) {
            problems.push(
                checkKubernetesName("automation.name", automation.name ?? name),
                checkKubernetesName("automation.gitRepository", automation.gitRepository),
                checkGoDuration("automation.interval", automation.interval ?? "1m"),
                checkGitBranch("automation.branch", automation.branch ?? "main"),
                automation.pushBranch !== undefined ? checkGitBranch("automation.pushBranch", automation.pushBranch) : undefined,
                checkCommitMessageTemplate("automation.messageTemplate", automation.messageTemplate ?? DEFAULT_COMMIT_MESSAGE_TEMPLATE),
                /^\.\/[^\s]*$/.test(automation.updatePath) && !automation.updatePath.split("/").includes("..")
                    ? undefined
                    : { field: "automation.updatePath", value: automation.updatePath, rule: "must be a folder of the repository starting with ./ and without .." },
                automation.author && !/^[^@\s]+@[^@\s]+$/.test(automation.author.email)
                    ? { field: "automation.author.email", value: automation.author.email, rule: "must be an e-mail address" }
                    : undefined,
            );
        }
        assertValid(`ImageAutomation ${name}`, problems);
        super("eks-flux-gitops:flux:ImageAutomation", name, {}, opts);
        const child = childOptions(this, opts);

        this.policyNames = {};
        for (const image of args.images) {
            const policyName = imagePolicyName(image.name);
            const spec = pulumi.output(image.image).apply(
                (url) => imageRepository({ name: image.name, namespace, image: url, interval: scanInterval, provider: args.provider, insecure: args.insecureRegistry }).spec,
            );
            const repository = new k8s.apiextensions.CustomResource(
                `${name}-${image.name}-repository`,
                { apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImageRepository", metadata: { name: image.name, namespace }, spec },
                child,
            );
            new k8s.apiextensions.CustomResource(
                `${name}-${image.name}-policy`,
                imagePolicy({
                    name: policyName,
                    namespace,
                    imageRepository: image.name,
                    semverRange: image.semverRange,
                    digestReflectionPolicy: args.digestPinning ? "IfNotPresent" : "Never",
                }) as k8s.apiextensions.CustomResourceArgs,
                childOptions(this, opts, repository),
            );
            this.policyNames[image.name] = policyName;
        }
        if (automation) {
            const branch = automation.branch ?? "main";
            new k8s.apiextensions.CustomResource(
                `${name}-update`,
                imageUpdateAutomation({
                    name: automation.name ?? name,
                    namespace,
                    gitRepository: automation.gitRepository,
                    checkoutBranch: branch,
                    pushBranch: automation.pushBranch ?? branch,
                    author: automation.author ?? FLUX_BOT,
                    messageTemplate: automation.messageTemplate ?? DEFAULT_COMMIT_MESSAGE_TEMPLATE,
                    updatePath: automation.updatePath,
                    interval: automation.interval ?? "1m",
                }) as k8s.apiextensions.CustomResourceArgs,
                child,
            );
        }
        this.namespace = pulumi.output(namespace);
        this.registerOutputs({ namespace: this.namespace, policyNames: this.policyNames });
    }
}
