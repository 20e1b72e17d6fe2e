import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertValid, checkGitBranch, checkGoDuration, checkKubernetesLabelName, checkKubernetesName } from "../validate.js";
import { checkContentNamedSecretBase, contentNamedSecret } from "./content-named-secret.js";
import { checkReadyTimeout, readinessAnnotations } from "./readiness.js";
import { childOptions } from "../child-options.js";
import { checkGitSshUrl, gitRepository, gitSshSecret, secretRevision } from "./source-manifests.js";

export interface GitSourceArgs {
    /** Name of the GitRepository. @default the component's name */
    name?: string;
    /** Namespace of the Flux objects. @default "flux-system" */
    namespace?: string;
    /** `ssh://git@<host>[:port]/<path>`: GitHub, GitLab or any SSH Git server. */
    url: pulumi.Input<string>;
    /** Branch to check out; always explicit. @default "main" */
    branch?: string;
    /** How often Flux fetches. @default "1m" */
    interval?: string;
    /** OpenSSH private key; stored secret. */
    privateKey: pulumi.Input<string>;
    /** The matching public key. */
    publicKey: pulumi.Input<string>;
    /** known_hosts lines of the Git server's host keys. */
    knownHosts: pulumi.Input<string>;
    /**
     * Name of the Secret holding key and known_hosts. A fixed name makes a new key or known_hosts a
     * replacement that deletes the Secret before creating it again (Flux is without a key for that
     * moment). @default "<name>-ssh-<10 hex digits of the content's SHA-256>": a new key gets a new
     * Secret beside the old one, the GitRepository switches to it, and the old one is deleted last
     */
    secretName?: string;
    /** How long `pulumi up` waits for the GitRepository to be Ready. @default "5m" */
    readyTimeout?: string;
}

/**
 * A Flux GitRepository that clones over SSH, and the Secret (identity, identity.pub, known_hosts) it
 * reads: works with GitHub, any SSH Git server and an existing key. `pulumi up` waits until Flux
 * reports the repository Ready (key and host key accepted, branch fetched).
 */
export class GitSource extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;
    public readonly secretName: pulumi.Output<string>;
    /** The Secret's values, as applied; a secret. */
    public readonly secretData: pulumi.Output<Record<string, string>>;

    constructor(name: string, args: GitSourceArgs, opts?: pulumi.ComponentResourceOptions) {
        const repositoryName = args.name ?? name;
        const namespace = args.namespace ?? "flux-system";
        const secretBase = `${repositoryName}-ssh`;
        const branch = args.branch ?? "main";
        const interval = args.interval ?? "1m";
        const readyTimeout = args.readyTimeout ?? "5m";
        assertValid(`GitSource ${name}`, [
            checkKubernetesName("name", repositoryName) ?? (args.secretName === undefined ? checkContentNamedSecretBase("name", repositoryName, secretBase) : undefined),
            checkKubernetesLabelName("namespace", namespace),
            args.secretName !== undefined ? checkKubernetesName("secretName", args.secretName) : undefined,
            checkGitBranch("branch", branch),
            checkGoDuration("interval", interval),
            checkReadyTimeout("readyTimeout", readyTimeout),
            typeof args.url === "string" ? checkGitSshUrl("url", args.url) : undefined,
            ...(["privateKey", "publicKey", "knownHosts"] as const).map((field) =>
                typeof args[field] === "string" || pulumi.Output.isInstance(args[field]) || args[field] instanceof Promise
                    ? undefined
                    : { field, value: args[field] ?? null, rule: "must be text (a string or an Output of one), not a Buffer or an object", secret: field === "privateKey" },
            ),
        ]);
        super("eks-flux-gitops:flux:GitSource", name, {}, opts);
        const child = childOptions(this, opts);

        const stringData = pulumi.secret(
            pulumi.all([args.privateKey, args.publicKey, args.knownHosts]).apply(([identity, identityPub, knownHosts]) =>
                gitSshSecret({ name: args.secretName ?? secretBase, namespace, identity, identityPub, knownHosts }).stringData as Record<string, string>,
            ),
        );
        // The name is a hash of the content, not the content: it need not be secret.
        const secretName: pulumi.Output<string> = args.secretName
            ? pulumi.output(args.secretName)
            : pulumi.unsecret(stringData.apply((data) => contentNamedSecret(secretBase, [data.identity, data["identity.pub"], data.known_hosts])));
        const secret = new k8s.core.v1.Secret(
            `${name}-ssh-key`,
            { metadata: { name: secretName, namespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } }, type: "Opaque", stringData },
            child,
        );
        const spec = pulumi.all([args.url, secretName]).apply(([url, secretRefName]) => {
            assertValid(`GitSource ${name}`, [checkGitSshUrl("url", url)]);
            return gitRepository({ name: repositoryName, namespace, url, branch, interval, secretName: secretRefName }).spec;
        });
        // source-controller does not watch Secrets: a Secret changed under a fixed name needs a nudge.
        // A content-named Secret changes the secretRef itself, which Flux reconciles at once.
        const annotations = args.secretName
            ? pulumi.unsecret(stringData.apply((data) => ({ ...readinessAnnotations(readyTimeout), "reconcile.fluxcd.io/requestedAt": secretRevision(data) })))
            : readinessAnnotations(readyTimeout);
        new k8s.apiextensions.CustomResource(
            `${name}-repository`,
            {
                apiVersion: "source.toolkit.fluxcd.io/v1",
                kind: "GitRepository",
                metadata: {
                    name: repositoryName,
                    namespace,
                    annotations,
                },
                spec,
            },
            childOptions(this, opts, secret),
        );

        this.name = pulumi.output(repositoryName);
        this.namespace = pulumi.output(namespace);
        this.secretName = secretName;
        this.secretData = stringData;
        this.registerOutputs({ name: this.name, namespace: this.namespace, secretName: this.secretName });
    }
}
