import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertValid, checkKubernetesLabelName, checkKubernetesName, checkKubernetesServiceName, type Problem } from "../validate.js";
import { childOptions } from "./git-source.js";
import { githubReceiver, receiverWebhookPath } from "./receiver-manifests.js";
import { checkReceiverExposure, exposeReceiver, type ReceiverExposure } from "./receiver-exposure.js";
import { checkReceiverToken, receiverToken, receiverTokenSecret } from "./receiver-token.js";

/** A problem of a name derived from `name`, reported on the field the user wrote. */
function derivedName(problem: Problem | undefined, name: string, what: string): Problem | undefined {
    return problem && { field: "name", value: name, rule: `makes ${what} too long or invalid: ${problem.rule.replace(/^gives the Service name "[^"]*", which /, "")}` };
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
    /** An existing HMAC token (at least 32 characters), stored secret. @default a generated 40-character token */
    token?: pulumi.Input<string>;
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
        assertValid(`GitHubReceiver ${name}`, [
            checkKubernetesName("name", receiverName) ?? derivedName(checkKubernetesName("name", `${receiverName}-token`), receiverName, "its token Secret's name"),
            args.exposure.kind === "load-balancer" ? derivedName(checkKubernetesServiceName("name", `${receiverName}-webhook`), receiverName, "the webhook Service's name") : undefined,
            checkKubernetesLabelName("namespace", namespace),
            checkKubernetesName("gitRepository", args.gitRepository),
            checkReceiverExposure(args.exposure, {
                httpsReason: "GitHub sends the HMAC-signed payload there",
                refused: { cluster: "GitHub calls the webhook from outside the cluster; choose ingress, load-balancer or external" },
            }),
            checkReceiverToken("token", args.token),
        ]);
        super("eks-flux-gitops:flux:GitHubReceiver", name, {}, opts);
        const child = childOptions(this, opts);

        const token = receiverToken(name, this, args.token);
        const secretName = `${receiverName}-token`;
        const secret = receiverTokenSecret(name, { secretName, namespace, token }, child);
        new k8s.apiextensions.CustomResource(
            `${name}-receiver`,
            githubReceiver({ name: receiverName, namespace, secretName, gitRepository: args.gitRepository }) as k8s.apiextensions.CustomResourceArgs,
            childOptions(this, opts, secret),
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
                { parent: this },
            );
        }
        this.registerOutputs({ webhookUrl: this.webhookUrl });
    }
}
