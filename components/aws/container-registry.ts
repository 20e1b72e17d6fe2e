import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { assertValid, checkEcrRepositoryName, checkSemverRange, checkUnique, type Problem } from "../validate.js";
import { buildLifecyclePolicy, checkTaggedExpiry, type TaggedExpiry } from "./ecr-lifecycle-policy.js";

export interface RegistryApp {
    /** App name; the repository is `<namePrefix>/<name>`. */
    name: string;
    /** Semver range Flux's ImagePolicy selects for this app; tags in it are never expired. @default none */
    semverRange?: string;
}

export interface ContainerRegistryArgs {
    /** One repository per app. */
    apps: RegistryApp[];
    /** Prefix of every repository name, e.g. "mamezou-tech" gives mamezou-tech/task-service. @default none */
    namePrefix?: string;
    /** Tags never change once pushed; Flux selects by semver, so tags need not move. @default "IMMUTABLE" */
    imageTagMutability?: "IMMUTABLE" | "MUTABLE";
    /** Scan every pushed image for vulnerabilities. @default true */
    scanOnPush?: boolean;
    /**
     * KMS key that encrypts images: a key ARN, "aws-managed" for the AWS-managed ECR key, or leave out
     * for a customer-managed key with rotation created here. @default a new customer-managed key
     */
    kmsKey?: pulumi.Input<string> | "aws-managed";
    /** Days after which untagged images expire. @default 14 */
    untaggedExpiryDays?: number;
    /** Rules expiring throwaway tags (e.g. pr-*); refused when a pattern could match a tag an app's range selects. @default none */
    taggedExpiry?: TaggedExpiry[];
    /** Let `pulumi destroy` delete repositories that still hold images. @default false: destroy fails instead */
    forceDeleteImagesOnDestroy?: boolean;
    /** Tags on every AWS resource. @default none */
    tags?: Record<string, string>;
    /**
     * Keep Pulumi from deleting or replacing the repositories and their KMS key (`protect`): a
     * renamed prefix or a removed app then fails at preview instead of losing the images. @default true
     */
    protect?: boolean;
}

export interface RegistryRepository {
    name: string;
    url: pulumi.Output<string>;
    arn: pulumi.Output<string>;
}

export const REGISTRY_DEFAULTS = { imageTagMutability: "IMMUTABLE", scanOnPush: true, untaggedExpiryDays: 14 } as const;

/** The repository name of each app, after checking every rule. */
export function registryRepositoryNames(name: string, args: ContainerRegistryArgs): string[] {
    const names = args.apps.map((app) => (args.namePrefix ? `${args.namePrefix}/${app.name}` : app.name));
    const problems: Problem[] = [];
    if (args.apps.length === 0) {
        problems.push({ field: "apps", value: [], rule: "must list at least one app" });
    }
    names.forEach((repository, i) => {
        const problem = checkEcrRepositoryName(`apps[${i}].name`, repository);
        if (problem) {
            problems.push({ ...problem, field: `apps[${i}].name`, value: args.apps[i].name, rule: `gives repository ${JSON.stringify(repository)}, which ${problem.rule}` });
        }
        const range = args.apps[i].semverRange;
        if (range !== undefined) {
            const rangeProblem = checkSemverRange(`apps[${i}].semverRange`, range);
            if (rangeProblem) {
                problems.push(rangeProblem);
            } else {
                problems.push(...checkTaggedExpiry(`taggedExpiry`, args.taggedExpiry ?? [], range).map((p) => ({ ...p, rule: `${p.rule} (app ${args.apps[i].name})` })));
            }
        }
    });
    problems.push(...checkUnique("apps", args.apps.map((app) => app.name)).map((p) => ({ ...p, field: `${p.field}.name` })));
    if (args.untaggedExpiryDays !== undefined && (!Number.isInteger(args.untaggedExpiryDays) || args.untaggedExpiryDays < 1)) {
        problems.push({ field: "untaggedExpiryDays", value: args.untaggedExpiryDays, rule: "must be a whole number of days, 1 or more" });
    }
    if (!args.apps.some((app) => app.semverRange)) {
        problems.push(...checkTaggedExpiry("taggedExpiry", args.taggedExpiry ?? [], undefined));
    }
    assertValid(`ContainerRegistry ${name}`, [dedupe(problems)]);
    return names;
}

function dedupe(problems: Problem[]): Problem[] {
    const seen = new Set<string>();
    return problems.filter((p) => {
        const key = `${p.field}|${p.rule}`;
        return seen.has(key) ? false : (seen.add(key), true);
    });
}

/**
 * One private ECR repository per app: scan on push, immutable tags, KMS encryption, and a lifecycle
 * policy that expires untagged images but never a tag Flux may still select. Destroying it fails
 * while images remain, unless forceDeleteImagesOnDestroy says otherwise.
 */
export class ContainerRegistry extends pulumi.ComponentResource {
    /** Per app name: repository name, URL and ARN. */
    public readonly repositories: Record<string, RegistryRepository>;
    /** App name → repository URL, for wiring. */
    public readonly repositoryUrls: pulumi.Output<Record<string, string>>;
    /** Every repository ARN, e.g. for read-only IAM policies. */
    public readonly repositoryArns: pulumi.Output<string[]>;

    constructor(name: string, args: ContainerRegistryArgs, opts?: pulumi.ComponentResourceOptions) {
        const names = registryRepositoryNames(name, args);
        super("eks-flux-gitops:aws:ContainerRegistry", name, {}, opts);
        const protect = args.protect ?? true;

        const kmsKey =
            args.kmsKey === "aws-managed"
                ? undefined
                : (args.kmsKey ??
                  new aws.kms.Key(
                      `${name}-images`,
                      { description: `Encryption of the ${names.join(", ")} image repositories`, enableKeyRotation: true, deletionWindowInDays: 30, tags: args.tags },
                      { parent: this, protect },
                  ).arn);
        const lifecyclePolicy = JSON.stringify(
            buildLifecyclePolicy({
                untaggedExpiryDays: args.untaggedExpiryDays ?? REGISTRY_DEFAULTS.untaggedExpiryDays,
                taggedExpiry: args.taggedExpiry ?? [],
            }),
        );

        this.repositories = {};
        args.apps.forEach((app, i) => {
            const repository = new aws.ecr.Repository(
                `${name}-${app.name}`,
                {
                    name: names[i],
                    imageTagMutability: args.imageTagMutability ?? REGISTRY_DEFAULTS.imageTagMutability,
                    imageScanningConfiguration: { scanOnPush: args.scanOnPush ?? REGISTRY_DEFAULTS.scanOnPush },
                    encryptionConfigurations: [{ encryptionType: "KMS", ...(kmsKey ? { kmsKey } : {}) }],
                    forceDelete: args.forceDeleteImagesOnDestroy ?? false,
                    tags: args.tags,
                },
                { parent: this, protect },
            );
            new aws.ecr.LifecyclePolicy(`${name}-${app.name}`, { repository: repository.name, policy: lifecyclePolicy }, { parent: this });
            this.repositories[app.name] = { name: names[i], url: repository.repositoryUrl, arn: repository.arn };
        });
        this.repositoryUrls = pulumi.output(Object.fromEntries(Object.entries(this.repositories).map(([app, repo]) => [app, repo.url])));
        this.repositoryArns = pulumi.output(Object.values(this.repositories).map((repo) => repo.arn));
        this.registerOutputs({ repositoryUrls: this.repositoryUrls, repositoryArns: this.repositoryArns });
    }
}
