import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertValid, checkKubernetesLabelName, checkKubernetesName, checkRotation, checkUnique, type Problem } from "../validate.js";
import { childOptions } from "../child-options.js";
import { checkGitHubActionsCaller, githubActionsOidcProvider, type GitHubActionsCaller } from "./github-actions-oidc.js";
import { DEFAULT_RECEIVER_READY_TIMEOUT, IMAGE_PUSH_RECEIVER_TYPES, imagePushReceiver, receiverWebhookPath, type ImagePushReceiverType } from "./receiver-manifests.js";
import { checkReceiverExposure, exposeReceiver, type ReceiverExposure } from "./receiver-exposure.js";
import { checkContentNamedSecretBase } from "./content-named-secret.js";
import { checkReadyTimeout } from "./readiness.js";
import { checkReceiverToken, receiverArgs, receiverToken, receiverTokenSecret } from "./receiver-token.js";

export interface ImagePushReceiverArgs {
    /** Name of the Receiver. @default the component's name */
    name?: string;
    /** Namespace of the Receiver and of the ImageRepositories it rescans. @default "flux-system" */
    namespace?: string;
    /**
     * Names of the ImageRepositories (in `namespace`) to rescan on every call. Only ImageRepositories of
     * the Receiver's own namespace: Flux's `--no-cross-namespace-refs` lockdown refuses any other.
     */
    imageRepositories: string[];
    /**
     * How a caller proves itself: `generic` (the unguessable path is the secret; what an EventBridge API
     * destination or a registry's notification endpoint can call), `generic-hmac` (plus an
     * `X-Signature` HMAC of the body with the token) or `generic-oidc` (a GitHub Actions ID token, no
     * shared secret; needs `githubActions`). @default "generic"
     */
    type?: ImagePushReceiverType;
    /** The workflows a `generic-oidc` Receiver admits. @default none (required for generic-oidc) */
    githubActions?: GitHubActionsCaller;
    /** An existing token (at least 32 characters), stored secret; not for generic-oidc. @default a generated 40-character token */
    token?: pulumi.Input<string>;
    /**
     * Raise by one to rotate the generated token: a new token and Secret beside the old ones, the
     * Receiver switched to them, the old Secret deleted last; callers need the new webhookUrl. @default 0
     */
    tokenRotation?: number;
    /**
     * How callers reach the receiver. An EventBridge API destination needs a public https:// URL
     * (an Ingress terminating TLS, or `external`). @default { kind: "cluster" }: nothing exposed
     */
    exposure?: ReceiverExposure;
    /**
     * How long `pulumi up` waits for notification-controller to report the Receiver Ready, which is
     * when it serves the webhook path, so callers given `webhookUrl` are never refused. @default "2m"
     */
    readyTimeout?: string;
}

export const IMAGE_PUSH_RECEIVER_DEFAULTS = { namespace: "flux-system", type: "generic", exposure: { kind: "cluster" }, readyTimeout: DEFAULT_RECEIVER_READY_TIMEOUT } as const;

/** Every problem with the Args, named by field; exported so wrappers check before registering anything. */
export function checkImagePushReceiverArgs(receiverName: string, args: ImagePushReceiverArgs): Problem[] {
    const namespace = args.namespace ?? IMAGE_PUSH_RECEIVER_DEFAULTS.namespace;
    const type = args.type ?? IMAGE_PUSH_RECEIVER_DEFAULTS.type;
    const problems: Array<Problem | undefined> = [
        checkKubernetesName("name", receiverName) ??
            (type === "generic-oidc" ? undefined : checkContentNamedSecretBase("name", receiverName, `${receiverName}-token`)),
        checkKubernetesLabelName("namespace", namespace),
        args.imageRepositories.length === 0 ? { field: "imageRepositories", value: [], rule: "must list at least one ImageRepository to rescan" } : undefined,
        ...args.imageRepositories.map((repository, i) => checkKubernetesName(`imageRepositories[${i}]`, repository)),
        ...checkUnique("imageRepositories", args.imageRepositories),
        ...checkReceiverExposure(args.exposure ?? IMAGE_PUSH_RECEIVER_DEFAULTS.exposure, {
            httpsReason: type === "generic-oidc" ? "the caller's OIDC token travels in its Authorization header" : "the webhook path is the receiver's secret",
        }),
        checkReceiverToken("token", args.token),
        checkRotation("tokenRotation", args.tokenRotation),
        checkReadyTimeout("readyTimeout", args.readyTimeout ?? IMAGE_PUSH_RECEIVER_DEFAULTS.readyTimeout),
    ];
    if (!(IMAGE_PUSH_RECEIVER_TYPES as readonly string[]).includes(type)) {
        problems.push({ field: "type", value: type, rule: `must be one of ${IMAGE_PUSH_RECEIVER_TYPES.join(", ")}: the Receiver types a registry or CI can call` });
    } else if (type === "generic-oidc") {
        problems.push(
            args.githubActions === undefined ? { field: "githubActions", value: null, rule: 'is required with type "generic-oidc": it names the workflows the Receiver admits' } : undefined,
            ...(args.githubActions ? checkGitHubActionsCaller("githubActions", args.githubActions) : []),
            args.token !== undefined ? { field: "token", value: "[secret]", rule: 'must not be set with type "generic-oidc": the caller proves itself with its OIDC token' } : undefined,
        );
    } else if (args.githubActions !== undefined) {
        problems.push({ field: "githubActions", value: args.githubActions, rule: `only applies to type "generic-oidc", not "${type}"` });
    }
    return problems.filter((p): p is Problem => p !== undefined);
}

/**
 * Instant image scans: a notification-controller Receiver whose resources are the given
 * ImageRepositories, so a registry push event (an EventBridge API destination, a registry's
 * notification endpoint) or a CI job rescans them at once, while their interval stays the safety
 * net. Token-based types get a token Secret; the receiver is exposed as chosen.
 */
export class ImagePushReceiver extends pulumi.ComponentResource {
    /** The URL callers POST to; a secret for token-based types, since the path derives from the token. */
    public readonly webhookUrl: pulumi.Output<string>;
    /** The path notification-controller serves (`status.webhookPath` once Ready); a secret for token-based types, like the URL. */
    public readonly webhookPath: pulumi.Output<string>;
    /** The token (secret); undefined for generic-oidc. */
    public readonly token?: pulumi.Output<string>;
    public readonly receiverName: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: ImagePushReceiverArgs, opts?: pulumi.ComponentResourceOptions) {
        const receiverName = args.name ?? name;
        assertValid(`ImagePushReceiver ${name}`, [checkImagePushReceiverArgs(receiverName, args)]);
        super("eks-flux-gitops:flux:ImagePushReceiver", name, {}, opts);
        const namespace = args.namespace ?? IMAGE_PUSH_RECEIVER_DEFAULTS.namespace;
        const type = args.type ?? IMAGE_PUSH_RECEIVER_DEFAULTS.type;
        const exposure = args.exposure ?? IMAGE_PUSH_RECEIVER_DEFAULTS.exposure;
        const child = childOptions(this, opts);

        const receiver = (secretName?: string) =>
            imagePushReceiver({
                name: receiverName,
                namespace,
                type,
                secretName,
                imageRepositories: args.imageRepositories,
                readyTimeout: args.readyTimeout ?? IMAGE_PUSH_RECEIVER_DEFAULTS.readyTimeout,
                ...(type === "generic-oidc" ? { oidcProviders: [githubActionsOidcProvider(args.githubActions!)] } : {}),
            });
        if (type === "generic-oidc") {
            // Without a token the path derives from the name and namespace only; nothing in it is secret.
            this.webhookPath = pulumi.output(receiverWebhookPath("", receiverName, namespace));
            new k8s.apiextensions.CustomResource(`${name}-receiver`, receiver() as k8s.apiextensions.CustomResourceArgs, child);
        } else {
            const token = receiverToken(name, this, args.token, args.tokenRotation);
            const secretBase = `${receiverName}-token`;
            const secret = receiverTokenSecret(name, { secretBase, namespace, token }, child);
            new k8s.apiextensions.CustomResource(`${name}-receiver`, receiverArgs(receiver, secret, secretBase), childOptions(this, opts, secret.secret));
            this.token = token;
            this.webhookPath = pulumi.secret(token.apply((value) => receiverWebhookPath(value, receiverName, namespace)));
        }
        const baseUrl = exposeReceiver(name, receiverName, namespace, exposure, child);
        this.webhookUrl = this.webhookPath.apply((path) => `${baseUrl}${path}`);
        this.receiverName = pulumi.output(receiverName);
        this.namespace = pulumi.output(namespace);
        this.registerOutputs({ webhookUrl: this.webhookUrl, receiverName: this.receiverName, namespace: this.namespace });
    }
}
