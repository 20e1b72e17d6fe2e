import { checkEcrRepositoryName, type Problem } from "../validate.js";
import type { PolicyDocument } from "./flux-ecr-iam-policies.js";

/**
 * The EventBridge pattern of ECR's "ECR Image Action" event for a successful push of a tagged image to
 * one of these repositories. Pushes without a tag (e.g. the per-platform manifests of a multi-arch
 * image) give Flux nothing new to select, so they are not sent.
 */
export function ecrPushEventPattern(repositoryNames: readonly string[]): Record<string, unknown> {
    return {
        source: ["aws.ecr"],
        "detail-type": ["ECR Image Action"],
        detail: {
            "action-type": ["PUSH"],
            result: ["SUCCESS"],
            "repository-name": [...repositoryNames],
            "image-tag": [{ exists: true }],
        },
    };
}

/** EventBridge assumes the role to call the API destination of a rule target. */
export function eventBridgeTrustPolicy(): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }],
    };
}

/** Calling this one API destination, and nothing else. */
export function invokeApiDestinationPolicy(apiDestinationArn: string): PolicyDocument {
    return {
        Version: "2012-10-17",
        Statement: [{ Sid: "InvokeReceiver", Effect: "Allow", Action: "events:InvokeApiDestination", Resource: apiDestinationArn }],
    };
}

/** HTTP header names (RFC 9110 tokens). */
const HEADER_NAME = /^[!#$%&'*+.^_`|~0-9A-Za-z-]+$/;

export const ECR_PUSH_EVENTS_DEFAULTS = {
    invocationRateLimitPerSecond: 5,
    maximumEventAgeSeconds: 60,
    maximumRetryAttempts: 5,
    apiKeyHeader: "X-Flux-Receiver-Token",
} as const;

export interface EcrPushEventsSettings {
    invocationRateLimitPerSecond?: number;
    maximumEventAgeSeconds?: number;
    maximumRetryAttempts?: number;
    apiKeyHeader?: string;
}

const wholeNumberIn = (field: string, value: number | undefined, min: number, max: number, why: string): Problem | undefined =>
    value === undefined || (Number.isInteger(value) && value >= min && value <= max) ? undefined : { field, value, rule: `must be a whole number from ${min} to ${max}${why}` };

export function checkEcrPushEventsSettings(settings: EcrPushEventsSettings): Problem[] {
    return [
        wholeNumberIn("invocationRateLimitPerSecond", settings.invocationRateLimitPerSecond, 1, 300, " (EventBridge's default and usual quota per API destination is 300)"),
        wholeNumberIn("maximumEventAgeSeconds", settings.maximumEventAgeSeconds, 60, 86400, " (EventBridge's retry policy range)"),
        wholeNumberIn("maximumRetryAttempts", settings.maximumRetryAttempts, 0, 185, " (EventBridge's retry policy range)"),
        settings.apiKeyHeader !== undefined && !HEADER_NAME.test(settings.apiKeyHeader)
            ? { field: "apiKeyHeader", value: settings.apiKeyHeader, rule: "must be an HTTP header name: letters, digits and !#$%&'*+.^_`|~-" }
            : undefined,
    ].filter((p): p is Problem => p !== undefined);
}

/** Repository names known at preview (strings), checked against ECR's naming rule. */
export function checkPushEventRepositories(field: string, names: readonly unknown[]): Problem[] {
    return [
        ...(names.length === 0 ? [{ field, value: [], rule: "must list at least one ECR repository" }] : []),
        ...names.flatMap((name, i) => (typeof name === "string" ? [checkEcrRepositoryName(`${field}[${i}]`, name)] : [])).filter((p): p is Problem => p !== undefined),
    ];
}

/** EventBridge API destinations call public https:// endpoints only. */
export function checkApiDestinationUrl(field: string, url: string): Problem | undefined {
    return /^https:\/\/[^\s/]+\/\S*$/.test(url) ? undefined : { field, value: url.replace(/\/hook\/[0-9a-f]{64}/, "/hook/[secret]"), rule: "must be an https:// URL: EventBridge API destinations only call public HTTPS endpoints" };
}
