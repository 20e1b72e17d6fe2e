import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { childOptions } from "../child-options.js";
import { assertValid } from "../validate.js";
import {
    checkEcrPushEventsSettings,
    checkApiDestinationUrl,
    checkPushEventRepositories,
    ECR_PUSH_EVENTS_DEFAULTS,
    ecrPushEventPattern,
    eventBridgeTrustPolicy,
    invokeApiDestinationPolicy,
} from "./ecr-push-event-rules.js";

export interface EcrPushEventsArgs {
    /** Names of the ECR repositories whose pushes are sent (e.g. mamezou-tech/task-service). */
    repositoryNames: pulumi.Input<pulumi.Input<string>[]>;
    /** The Receiver's public https:// URL, path included (ImagePushReceiver.webhookUrl); stored secret. */
    receiverUrl: pulumi.Input<string>;
    /**
     * The value of the connection's API key header (ImagePushReceiver.token); EventBridge keeps it in
     * Secrets Manager. notification-controller's `generic` Receiver does not read it: the path is its
     * secret; a gateway in front may check the header as a second factor.
     */
    token: pulumi.Input<string>;
    /** Name of the API key header. @default "X-Flux-Receiver-Token" */
    apiKeyHeader?: string;
    /**
     * Most calls per second to the receiver; events beyond it wait and are retried, not dropped. Each
     * call rescans every ImageRepository of the Receiver (a tag listing per image). @default 5
     */
    invocationRateLimitPerSecond?: number;
    /**
     * How long EventBridge retries a failed delivery. The ImageRepository's own scan interval is the
     * safety net, so an event older than a minute or so is worth nothing. @default 60 (the minimum)
     */
    maximumEventAgeSeconds?: number;
    /** Retries of a failed delivery within that age. @default 5 */
    maximumRetryAttempts?: number;
    /** Tags on the rule and the role. @default none */
    tags?: Record<string, string>;
}

/**
 * ECR push events to a Flux Receiver: an EventBridge rule on the default bus for successful tagged
 * pushes to the given repositories, an API destination (rate-limited) with its API-key connection,
 * and the role EventBridge uses to call it, which may invoke that destination only.
 */
export class EcrPushEvents extends pulumi.ComponentResource {
    public readonly ruleArn: pulumi.Output<string>;
    public readonly apiDestinationArn: pulumi.Output<string>;
    public readonly roleArn: pulumi.Output<string>;

    constructor(name: string, args: EcrPushEventsArgs, opts?: pulumi.ComponentResourceOptions) {
        const settings = {
            apiKeyHeader: args.apiKeyHeader ?? ECR_PUSH_EVENTS_DEFAULTS.apiKeyHeader,
            invocationRateLimitPerSecond: args.invocationRateLimitPerSecond ?? ECR_PUSH_EVENTS_DEFAULTS.invocationRateLimitPerSecond,
            maximumEventAgeSeconds: args.maximumEventAgeSeconds ?? ECR_PUSH_EVENTS_DEFAULTS.maximumEventAgeSeconds,
            maximumRetryAttempts: args.maximumRetryAttempts ?? ECR_PUSH_EVENTS_DEFAULTS.maximumRetryAttempts,
        };
        assertValid(`EcrPushEvents ${name}`, [
            checkEcrPushEventsSettings(args),
            Array.isArray(args.repositoryNames) ? checkPushEventRepositories("repositoryNames", args.repositoryNames) : undefined,
            typeof args.receiverUrl === "string" ? checkApiDestinationUrl("receiverUrl", args.receiverUrl) : undefined,
        ]);
        super("eks-flux-gitops:aws:EcrPushEvents", name, {}, opts);
        // Children wait for the component's dependsOn too (e.g. the Receiver being Ready).
        const child = childOptions(this, opts);

        const rule = new aws.cloudwatch.EventRule(
            `${name}-rule`,
            {
                description: "Successful tagged image pushes to the stack's ECR repositories, for Flux's image Receiver",
                eventPattern: pulumi.output(args.repositoryNames).apply((names) => {
                    assertValid(`EcrPushEvents ${name}`, [checkPushEventRepositories("repositoryNames", names)]);
                    return JSON.stringify(ecrPushEventPattern(names));
                }),
                tags: args.tags,
            },
            child,
        );
        const connection = new aws.cloudwatch.EventConnection(
            `${name}-connection`,
            {
                description: "API key header for Flux's image Receiver",
                authorizationType: "API_KEY",
                authParameters: { apiKey: { key: settings.apiKeyHeader, value: pulumi.secret(args.token) } },
            },
            child,
        );
        const destination = new aws.cloudwatch.EventApiDestination(
            `${name}-destination`,
            {
                description: "Flux notification-controller Receiver that rescans the ImageRepositories",
                connectionArn: connection.arn,
                httpMethod: "POST",
                invocationEndpoint: pulumi.secret(
                    pulumi.output(args.receiverUrl).apply((url) => {
                        assertValid(`EcrPushEvents ${name}`, [checkApiDestinationUrl("receiverUrl", url)]);
                        return url;
                    }),
                ),
                invocationRateLimitPerSecond: settings.invocationRateLimitPerSecond,
            },
            child,
        );
        const role = new aws.iam.Role(
            `${name}-role`,
            { description: "EventBridge calls Flux's image Receiver", assumeRolePolicy: JSON.stringify(eventBridgeTrustPolicy()), tags: args.tags },
            child,
        );
        new aws.iam.RolePolicy(
            `${name}-invoke`,
            { role: role.name, policy: destination.arn.apply((arn) => JSON.stringify(invokeApiDestinationPolicy(arn))) },
            child,
        );
        new aws.cloudwatch.EventTarget(
            `${name}-target`,
            {
                rule: rule.name,
                arn: destination.arn,
                roleArn: role.arn,
                retryPolicy: { maximumEventAgeInSeconds: settings.maximumEventAgeSeconds, maximumRetryAttempts: settings.maximumRetryAttempts },
            },
            child,
        );
        this.ruleArn = rule.arn;
        this.apiDestinationArn = destination.arn;
        this.roleArn = role.arn;
        this.registerOutputs({ ruleArn: this.ruleArn, apiDestinationArn: this.apiDestinationArn, roleArn: this.roleArn });
    }
}
