import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertValid, checkKubernetesLabelName, checkKubernetesName, checkKubernetesServiceName, checkRotation, type Problem } from "../validate.js";
import { childOptions } from "../child-options.js";
import { DEFAULT_RECEIVER_READY_TIMEOUT, githubReceiver, receiverWebhookPath } from "./receiver-manifests.js";
import { checkReceiverExposure, exposeReceiver, type ReceiverExposure } from "./receiver-exposure.js";
import { checkContentNamedSecretBase } from "./content-named-secret.js";
import { checkReadyTimeout } from "./readiness.js";
import { checkReceiverToken, receiverArgs, receiverToken, receiverTokenSecret } from "./receiver-token.js";

/** A problem of a name derived from `name`, reported on the field the user wrote. */
function derivedName(problem: Problem | undefined, name: string, what: string): Problem | undefined {
    return problem && { field: "name", value: name, rule: `makes ${what} too long or invalid: ${problem.rule.replace(/^gives the (Service|Secret) name "[^"]*", which /, "")}` };
}

export interface GitHubReceiverArgs {
    /** Name of the Receiver. @default the component's name */
    name?: string;
    /** Flux namespace. @default "flux-system" */
    namespace?: string;
    /** The GitRepository to reconcile on push. */
    gitRepository: string;
    /**
     * GitHub repository (name) to register the webhook on, in the account of the github provider
     * this component is given (`providers: [k8sProvider, githubProvider]`), which must have the
     * repository's owner as its `owner`. Without it no webhook is registered: register `webhookUrl`
     * with the token yourself (a repository another stack or team manages, or a Git server that sends
     * GitHub's push event). @default none
     */
    repository?: pulumi.Input<string>;
    /** How the webhook reaches the cluster; `cluster` is refused, since GitHub calls from outside. */
    exposure: ReceiverExposure;
    /** An existing HMAC token (at least 32 characters), stored secret; pass another to rotate it. @default a generated 40-character token */
    token?: pulumi.Input<string>;
    /**
     * Raise by one to rotate the generated token: `pulumi up` makes a new token and its Secret beside
     * the old ones, points the Receiver and the GitHub webhook (URL and secret together) at them, then
     * deletes the old Secret. @default 0
     */
    tokenRotation?: number;
    /**
     * How long `pulumi up` waits for notification-controller to report the Receiver Ready, which is
     * when it serves the webhook path: a webhook registered after that is never refused. @default "2m"
     */
    readyTimeout?: string;
}

/**
 * Instant sync: a notification-controller Receiver of type github with an HMAC token, the webhook
 * registered on the repository, and the receiver exposed as chosen, so a push reconciles the
 * GitRepository at once instead of at the next interval.
 */
export class GitHubReceiver extends pulumi.ComponentResource {
    /** The webhook URL GitHub calls; a secret, since the path derives from the token. */
    public readonly webhookUrl: pulumi.Output<string>;

    constructor(name: string, args: GitHubReceiverArgs, opts?: pulumi.ComponentResourceOptions) {
        const receiverName = args.name ?? name;
        const namespace = args.namespace ?? "flux-system";
        const readyTimeout = args.readyTimeout ?? DEFAULT_RECEIVER_READY_TIMEOUT;
        assertValid(`GitHubReceiver ${name}`, [
            checkKubernetesName("name", receiverName) ?? derivedName(checkContentNamedSecretBase("name", receiverName, `${receiverName}-token`), receiverName, "its token Secret's name"),
            args.exposure.kind === "load-balancer" ? derivedName(checkKubernetesServiceName("name", `${receiverName}-webhook`), receiverName, "the webhook Service's name") : undefined,
            checkKubernetesLabelName("namespace", namespace),
            checkKubernetesName("gitRepository", args.gitRepository),
            checkReceiverExposure(args.exposure, {
                httpsReason: "GitHub sends the HMAC-signed payload there",
                refused: { cluster: "GitHub calls the webhook from outside the cluster; choose ingress, load-balancer or external" },
            }),
            checkReceiverToken("token", args.token),
            checkRotation("tokenRotation", args.tokenRotation),
            checkReadyTimeout("readyTimeout", readyTimeout),
        ]);
        super("eks-flux-gitops:flux:GitHubReceiver", name, {}, opts);
        const child = childOptions(this, opts);

        const token = receiverToken(name, this, args.token, args.tokenRotation);
        const secretBase = `${receiverName}-token`;
        const secret = receiverTokenSecret(name, { secretBase, namespace, token }, child);
        const receiver = new k8s.apiextensions.CustomResource(
            `${name}-receiver`,
            receiverArgs((secretName) => githubReceiver({ name: receiverName, namespace, secretName, gitRepository: args.gitRepository, readyTimeout }), secret, secretBase),
            childOptions(this, opts, secret.secret),
        );
        const baseUrl = exposeReceiver(name, receiverName, namespace, args.exposure, child);
        this.webhookUrl = pulumi.secret(token.apply((value) => `${baseUrl}${receiverWebhookPath(value, receiverName, namespace)}`));
        if (args.repository !== undefined) {
            new github.RepositoryWebhook(
                `${name}-webhook`,
                {
                    repository: args.repository,
                    events: ["push"],
                    active: true,
                    configuration: { url: this.webhookUrl, contentType: "json", secret: token, insecureSsl: false },
                },
                // Registered once the Receiver is Ready: GitHub's first delivery (ping) is not refused.
                { parent: this, dependsOn: [receiver] },
            );
        }
        this.registerOutputs({ webhookUrl: this.webhookUrl });
    }
}
