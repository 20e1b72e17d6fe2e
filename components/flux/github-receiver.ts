import * as github from "@pulumi/github";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import { assertValid, checkKubernetesLabelName, checkKubernetesName, checkKubernetesServiceName, type Problem } from "../validate.js";
import { childOptions } from "./git-source.js";
import { githubReceiver, receiverWebhookPath } from "./receiver-manifests.js";

/** A problem of a name derived from `name`, reported on the field the user wrote. */
function derivedName(problem: Problem | undefined, name: string, what: string): Problem | undefined {
    return problem && { field: "name", value: name, rule: `makes ${what} too long or invalid: ${problem.rule.replace(/^gives the Service name "[^"]*", which /, "")}` };
}

/** How GitHub reaches notification-controller's webhook-receiver Service. */
export type ReceiverExposure =
    /** An Ingress on `host` (HTTPS when tlsSecretName is set or the class terminates TLS). */
    | { kind: "ingress"; host: string; ingressClassName?: string; annotations?: Record<string, string>; tlsSecretName?: string }
    /** A LoadBalancer Service; `host` is the DNS name you point at it. */
    | { kind: "load-balancer"; host: string; annotations?: Record<string, string> }
    /** You expose the receiver yourself at `baseUrl` (e.g. behind an existing gateway). */
    | { kind: "external"; baseUrl: string };

export interface GitHubReceiverArgs {
    /** Name of the Receiver. @default the component's name */
    name?: string;
    /** Flux namespace. @default "flux-system" */
    namespace?: string;
    /** The GitRepository to reconcile on push. */
    gitRepository: string;
    /** GitHub repository (name) to register the webhook on. */
    repository: pulumi.Input<string>;
    /** How the webhook reaches the cluster. */
    exposure: ReceiverExposure;
}

/**
 * Instant sync: a notification-controller Receiver of type github with a generated HMAC token, the
 * webhook registered on the repository, and the receiver exposed as chosen, so a push reconciles the
 * GitRepository at once instead of at the next interval.
 */
export class GitHubReceiver extends pulumi.ComponentResource {
    /** The webhook URL GitHub calls; a secret, since the path derives from the token. */
    public readonly webhookUrl: pulumi.Output<string>;

    constructor(name: string, args: GitHubReceiverArgs, opts?: pulumi.ComponentResourceOptions) {
        const receiverName = args.name ?? name;
        const namespace = args.namespace ?? "flux-system";
        const exposure = args.exposure;
        assertValid(`GitHubReceiver ${name}`, [
            checkKubernetesName("name", receiverName) ?? derivedName(checkKubernetesName("name", `${receiverName}-token`), receiverName, "its token Secret's name"),
            exposure.kind === "load-balancer" ? derivedName(checkKubernetesServiceName("name", `${receiverName}-webhook`), receiverName, "the webhook Service's name") : undefined,
            checkKubernetesLabelName("namespace", namespace),
            checkKubernetesName("gitRepository", args.gitRepository),
            exposure.kind !== "external" && !/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/.test(exposure.host)
                ? { field: "exposure.host", value: exposure.host, rule: "must be a DNS name such as flux-webhook.example.com" }
                : undefined,
            exposure.kind === "external" && !/^https:\/\/[^\s/]+/.test(exposure.baseUrl)
                ? { field: "exposure.baseUrl", value: exposure.baseUrl, rule: "must be an https:// URL: GitHub sends the HMAC-signed payload there" }
                : undefined,
        ]);
        super("eks-flux-gitops:flux:GitHubReceiver", name, {}, opts);
        const child = childOptions(this, opts);

        const token = new random.RandomPassword(`${name}-token`, { length: 40, special: false }, { parent: this });
        const secretName = `${receiverName}-token`;
        const secret = new k8s.core.v1.Secret(
            `${name}-token`,
            { metadata: { name: secretName, namespace }, type: "Opaque", stringData: { token: pulumi.secret(token.result) } },
            child,
        );
        new k8s.apiextensions.CustomResource(
            `${name}-receiver`,
            githubReceiver({ name: receiverName, namespace, secretName, gitRepository: args.gitRepository }) as k8s.apiextensions.CustomResourceArgs,
            childOptions(this, opts, secret),
        );

        let baseUrl: string;
        if (exposure.kind === "ingress") {
            new k8s.networking.v1.Ingress(
                `${name}-ingress`,
                {
                    metadata: { name: `${receiverName}-webhook`, namespace, annotations: exposure.annotations },
                    spec: {
                        ingressClassName: exposure.ingressClassName,
                        ...(exposure.tlsSecretName ? { tls: [{ hosts: [exposure.host], secretName: exposure.tlsSecretName }] } : {}),
                        rules: [{ host: exposure.host, http: { paths: [{ path: "/hook/", pathType: "Prefix", backend: { service: { name: "webhook-receiver", port: { name: "http" } } } }] } }],
                    },
                },
                child,
            );
            baseUrl = `https://${exposure.host}`;
        } else if (exposure.kind === "load-balancer") {
            new k8s.core.v1.Service(
                `${name}-load-balancer`,
                {
                    metadata: { name: `${receiverName}-webhook`, namespace, annotations: exposure.annotations },
                    spec: { type: "LoadBalancer", selector: { app: "notification-controller" }, ports: [{ name: "http", port: 80, targetPort: "http-webhook" }] },
                },
                child,
            );
            baseUrl = `http://${exposure.host}`;
        } else {
            baseUrl = exposure.baseUrl.replace(/\/+$/, "");
        }
        this.webhookUrl = pulumi.secret(token.result.apply((value) => `${baseUrl}${receiverWebhookPath(value, receiverName, namespace)}`));
        new github.RepositoryWebhook(
            `${name}-webhook`,
            {
                repository: args.repository,
                events: ["push"],
                active: true,
                configuration: { url: this.webhookUrl, contentType: "json", secret: token.result, insecureSsl: false },
            },
            { parent: this },
        );
        this.registerOutputs({ webhookUrl: this.webhookUrl });
    }
}
