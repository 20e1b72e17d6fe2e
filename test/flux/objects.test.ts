import { strict as assert } from "node:assert";
import * as k8s from "@pulumi/kubernetes";
import { AppSync } from "../../components/flux/app-sync.js";
import { checkCommitMessageTemplate, DEFAULT_COMMIT_MESSAGE_TEMPLATE } from "../../components/flux/commit-message.js";
import { GitHubReceiver } from "../../components/flux/github-receiver.js";
import { contentNamedSecret } from "../../components/flux/content-named-secret.js";
import { GitSource, type GitSourceArgs } from "../../components/flux/git-source.js";
import { ImageAutomation } from "../../components/flux/image-automation.js";
import { durationSeconds } from "../../components/flux/readiness.js";
import { receiverWebhookPath } from "../../components/flux/receiver-manifests.js";
import { checkGitSshUrl, parseGitSshUrl, secretRevision } from "../../components/flux/source-manifests.js";
import { validateKubernetesObject } from "../../components/kubernetes-schema.js";
import { checkKubernetesName } from "../../components/validate.js";
import { MockCloud, isSecretOutput, settled, useMockCloud, valueOf, type RecordedResource } from "../../testing/mock-cloud.js";
import { validationProblems } from "../../testing/problems.js";

const ECR = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/mamezou-tech";
const KEY = "-----BEGIN OPENSSH PRIVATE KEY-----\nabc\n-----END OPENSSH PRIVATE KEY-----\n";


/** A stand-in for the Flux install that Flux objects must depend on. */
function install() {
    return new k8s.core.v1.Namespace("flux-install", { metadata: { name: "flux-system" } });
}

function validateObject(resource: RecordedResource) {
    validateKubernetesObject("test", resource.inputs as never);
}

const source = { url: `ssh://git@github.com/octo-org/task-tool-cluster-config`, privateKey: KEY, publicKey: "ssh-ed25519 AAAA", knownHosts: "github.com ssh-ed25519 AAAA\n" };

describe("GitSource", () => {
    it("asks Flux to reconcile when the key or known_hosts change, and only then", () => {
        const data = { identity: KEY, "identity.pub": "ssh-ed25519 AAAA", known_hosts: "github.com ssh-ed25519 AAAA\n" };
        assert.match(secretRevision(data), /^ssh-secret-[0-9a-f]{16}$/);
        assert.equal(secretRevision({ known_hosts: data.known_hosts, identity: KEY, "identity.pub": data["identity.pub"] }), secretRevision(data));
        assert.notEqual(secretRevision({ ...data, identity: `${KEY}x` }), secretRevision(data));
        assert.notEqual(secretRevision({ ...data, known_hosts: "github.com ssh-rsa BBBB\n" }), secretRevision(data));
        assert.ok(!secretRevision(data).includes(KEY.slice(40, 60)));
    });

    it("creates the seed's GitRepository and SSH Secret, waiting for Ready", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const dependency = install();
        const git = new GitSource("task-tool", { ...source, interval: "30s", readyTimeout: "4m" }, { dependsOn: [dependency] });
        await valueOf(git.name);
        await settled(cloud);
        const repository = cloud.get("kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", "task-tool-repository");
        const secretName = contentNamedSecret("task-tool-ssh", [KEY, "ssh-ed25519 AAAA", "github.com ssh-ed25519 AAAA\n"]);
        assert.match(secretName, /^task-tool-ssh-[0-9a-f]{10}$/);
        assert.deepEqual(repository.inputs.spec, {
            url: "ssh://git@github.com/octo-org/task-tool-cluster-config",
            ref: { branch: "main" },
            interval: "30s",
            secretRef: { name: secretName },
        });
        assert.deepEqual(repository.inputs.metadata, {
            name: "task-tool",
            namespace: "flux-system",
            annotations: { "pulumi.com/waitFor": "condition=Ready", "pulumi.com/timeoutSeconds": "240" },
        });
        assert.deepEqual(repository.secretPaths, [], "the Secret's name is a hash, no secret, so the diff shows the GitRepository");
        const secret = cloud.get("kubernetes:core/v1:Secret", "task-tool-ssh-key");
        assert.equal(secret.inputs.metadata.name, secretName);
        assert.deepEqual(secret.secretPaths, ["stringData"]);
        assert.deepEqual(secret.inputs.stringData, { identity: KEY, "identity.pub": "ssh-ed25519 AAAA", known_hosts: "github.com ssh-ed25519 AAAA\n" });
        assert.deepEqual(secret.secretPaths, ["stringData"], "the identity reaches the engine as a secret");
        assert.equal(await isSecretOutput(git.secretData), true);
        const installUrn = cloud.get("kubernetes:core/v1:Namespace", "flux-install").urn;
        assert.ok(repository.dependencies.includes(installUrn) && repository.dependencies.includes(secret.urn));
        assert.ok(secret.dependencies.includes(installUrn), "every Flux object depends on the install");
        validateObject(repository);
        validateObject(secret);
    });

    it("works with any SSH Git server on another port", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new GitSource("lab", { ...source, url: "ssh://git@127.0.0.1:2222/srv/git/config.git", knownHosts: "[127.0.0.1]:2222 ssh-ed25519 AAAA\n" });
        await settled(cloud);
        assert.equal(cloud.get("kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", "lab-repository").inputs.spec.url, "ssh://git@127.0.0.1:2222/srv/git/config.git");
        assert.deepEqual(parseGitSshUrl("ssh://git@127.0.0.1:2222/srv/git/config.git"), { user: "git", host: "127.0.0.1", port: 2222, path: "srv/git/config.git" });
    });

    it("rejects an http URL with an SSH key, the scp form, capitals and prose intervals", () => {
        assert.deepEqual(validationProblems(() => new GitSource("s", { ...source, url: "https://github.com/octo-org/config" })), [
            'url = "https://github.com/octo-org/config": is an HTTP(S) URL, but an SSH key is given: Flux uses the key only over SSH; write ssh://git@<host>/<owner>/<repo>',
        ]);
        assert.deepEqual(checkGitSshUrl("url", "git@github.com:octo-org/config.git")?.rule, "is the scp-like form, which Flux does not accept; write ssh://git@github.com/octo-org/config.git");
        assert.deepEqual(validationProblems(() => new GitSource("s", { ...source, name: "Task-Tool", interval: "30 seconds" })), [
            'name = "Task-Tool": must be a Kubernetes object name (RFC 1123 subdomain): at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
            'interval = "30 seconds": must be a Go duration made of numbers with units ms, s, m or h, such as 30s, 5m or 1h30m',
        ]);
    });
});

describe("GitSource key rotation", () => {
    const secretOf = async (args: Partial<GitSourceArgs>) => {
        const cloud = await useMockCloud(new MockCloud());
        new GitSource("task-tool", { ...source, ...args });
        await settled(cloud);
        return { secret: cloud.get("kubernetes:core/v1:Secret", "task-tool-ssh-key"), repository: cloud.get("kubernetes:source.toolkit.fluxcd.io/v1:GitRepository", "task-tool-repository") };
    };

    it("names the Secret after its content, so a new key is a new Secret the GitRepository switches to", async () => {
        const before = await secretOf({});
        const same = await secretOf({});
        const rotated = await secretOf({ privateKey: `${KEY}\n`, publicKey: "ssh-ed25519 BBBB" });
        const newHosts = await secretOf({ knownHosts: "github.com ssh-ed25519 CCCC\n" });
        assert.equal(same.secret.inputs.metadata.name, before.secret.inputs.metadata.name);
        assert.notEqual(rotated.secret.inputs.metadata.name, before.secret.inputs.metadata.name);
        assert.notEqual(newHosts.secret.inputs.metadata.name, before.secret.inputs.metadata.name);
        for (const { secret, repository } of [before, rotated, newHosts]) {
            assert.equal(repository.inputs.spec.secretRef.name, secret.inputs.metadata.name);
            assert.equal(secret.urn, before.secret.urn, "the same Pulumi resource, replaced: its URN never changes");
        }
        assert.ok(!before.secret.inputs.metadata.name.includes(KEY.slice(40, 50)));
    });

    it("keeps a fixed secretName and then nudges Flux with the content's fingerprint", async () => {
        const { secret, repository } = await secretOf({ secretName: "flux-ssh" });
        assert.equal(secret.inputs.metadata.name, "flux-ssh");
        assert.equal(repository.inputs.spec.secretRef.name, "flux-ssh");
        assert.equal(repository.inputs.metadata.annotations["reconcile.fluxcd.io/requestedAt"], secretRevision({ identity: KEY, "identity.pub": source.publicKey, known_hosts: source.knownHosts }));
    });

    it("refuses a name whose content-named Secret would be too long, on the field the user wrote", async () => {
        const name = "a".repeat(240);
        assert.equal(checkKubernetesName("name", name), undefined, "the name alone is valid");
        assert.deepEqual(validationProblems(() => new GitSource("s", { ...source, name })), [
            `name = "${name}": gives the Secret name "${name}-ssh-<10 hex digits>", which must be a Kubernetes object name (RFC 1123 subdomain): at most 253 lowercase letters, digits, '-' and '.', starting and ending with a letter or digit`,
        ]);
        await useMockCloud(new MockCloud());
        assert.doesNotThrow(() => new GitSource("s", { ...source, name, secretName: "flux-ssh" }), "a fixed secretName adds no suffix");
    });
});

describe("GitSource secrets", () => {
    it("refuses a key given as a Buffer or an object without printing it", async () => {
        const cloud = await useMockCloud(new MockCloud());
        for (const privateKey of [Buffer.from(KEY), { pem: KEY }]) {
            assert.deepEqual(validationProblems(() => new GitSource("s", { ...source, privateKey: privateKey as never })), [
                "privateKey = \"[secret]\": must be text (a string or an Output of one), not a Buffer or an object",
            ]);
        }
        await settled(cloud);
        assert.equal(cloud.resources.length, 0);
    });

    it("masks a Secret's data in schema errors", () => {
        assert.throws(
            () => validateKubernetesObject("Secret s", { apiVersion: "v1", kind: "Secret", metadata: { name: "s" }, stringData: { identity: { pem: KEY } } } as never),
            (error: Error) => error.message === "Secret s: invalid input\n  - Secret/s.stringData.identity = [secret]: must be string (schema of v1/Secret)",
        );
    });
});

describe("AppSync", () => {
    it("applies ./app/overlays/prod into prod every 5m with prune, keeping the namespace on destroy", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const dependency = install();
        new AppSync("task-tool", { sourceRef: { name: "task-tool" }, path: "./app/overlays/prod", interval: "5m", targetNamespace: "prod" }, { dependsOn: dependency });
        await settled(cloud);
        const sync = cloud.get("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "task-tool-kustomization");
        assert.deepEqual(sync.inputs.spec, {
            sourceRef: { kind: "GitRepository", name: "task-tool" },
            path: "./app/overlays/prod",
            interval: "5m",
            prune: true,
            deletionPolicy: "Orphan",
            targetNamespace: "prod",
        });
        assert.equal(sync.inputs.metadata.annotations["pulumi.com/waitFor"], "condition=Ready");
        assert.equal(sync.inputs.metadata.annotations["pulumi.com/timeoutSeconds"], "600");
        const namespace = cloud.get("kubernetes:core/v1:Namespace", "task-tool-target-namespace");
        assert.equal(namespace.inputs.metadata.name, "prod");
        assert.equal(namespace.options.retainOnDelete, true);
        assert.ok(sync.dependencies.includes(namespace.urn));
        assert.ok(sync.dependencies.includes(cloud.get("kubernetes:core/v1:Namespace", "flux-install").urn));
        validateObject(sync);
    });

    it("takes health checks, timeout and dependsOn, and rejects bad paths and intervals", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new AppSync("apps", {
            sourceRef: { name: "task-tool" },
            path: "./apps",
            healthChecks: [{ apiVersion: "apps/v1", kind: "Deployment", name: "prod-task-service", namespace: "prod" }],
            timeout: "2m",
            dependsOn: [{ name: "infra" }],
            createTargetNamespace: false,
        });
        await settled(cloud);
        const spec = cloud.get("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "apps-kustomization").inputs.spec;
        assert.deepEqual([spec.timeout, spec.dependsOn, spec.healthChecks[0].name], ["2m", [{ name: "infra" }], "prod-task-service"]);
        assert.deepEqual(validationProblems(() => new AppSync("x", { sourceRef: { name: "s" }, path: "app/overlays/prod", interval: "5 minutes" })), [
            'path = "app/overlays/prod": must be a folder of the source starting with ./ and without ..',
            'interval = "5 minutes": must be a Go duration made of numbers with units ms, s, m or h, such as 30s, 5m or 1h30m',
        ]);
    });

    it("lets Flux delete the app on destroy only when asked, and refuses system and Flux namespaces as targets", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new AppSync("gone", { sourceRef: { name: "s" }, path: "./apps", deletionPolicy: "WaitForTermination" });
        await settled(cloud);
        assert.equal(cloud.get("kubernetes:kustomize.toolkit.fluxcd.io/v1:Kustomization", "gone-kustomization").inputs.spec.deletionPolicy, "WaitForTermination");
        const bad = (args: Partial<ConstructorParameters<typeof AppSync>[1]>) => validationProblems(() => new AppSync("x", { sourceRef: { name: "s" }, path: "./apps", ...args }));
        assert.deepEqual(bad({ deletionPolicy: "Keep" as never }), ['deletionPolicy = "Keep": must be one of Orphan, Delete, WaitForTermination, MirrorPrune']);
        assert.deepEqual(bad({ targetNamespace: "kube-public" }), [
            'targetNamespace = "kube-public": is a system namespace of the cluster (kube-system, kube-public, kube-node-lease); give the app a namespace of its own',
        ]);
        assert.deepEqual(bad({ targetNamespace: "flux-system" }), [
            `targetNamespace = "flux-system": is Flux's own namespace (flux-system), which the Flux install owns; give the app a namespace of its own`,
        ]);
        assert.deepEqual(bad({ interval: "0s" }), ['interval = "0s": must be longer than zero: Flux runs intervals and timeouts of 0 in a loop or not at all']);
    });
});

describe("ImageAutomation", () => {
    it("reads ECR with provider aws, selects 1.1.x and commits as fluxcdbot to main", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const automation = new ImageAutomation("task-tool", {
            images: [{ name: "task-service", image: `${ECR}/task-service`, semverRange: "1.1.x" }],
            scanInterval: "1m",
            automation: { gitRepository: "task-tool", updatePath: "./app/overlays/prod", interval: "1m" },
        });
        await valueOf(automation.namespace);
        await settled(cloud);
        const repository = cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository", "task-tool-task-service-repository");
        assert.deepEqual(repository.inputs.spec, { image: `${ECR}/task-service`, interval: "1m", provider: "aws" });
        const policy = cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy", "task-tool-task-service-policy");
        assert.deepEqual(policy.inputs.spec, { imageRepositoryRef: { name: "task-service" }, policy: { semver: { range: "1.1.x" } } });
        assert.ok(policy.dependencies.includes(repository.urn));
        const update = cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImageUpdateAutomation", "task-tool-update");
        assert.deepEqual(update.inputs.spec, {
            interval: "1m",
            sourceRef: { kind: "GitRepository", name: "task-tool" },
            git: {
                checkout: { ref: { branch: "main" } },
                commit: { author: { name: "fluxcdbot", email: "fluxcdbot@users.noreply.github.com" }, messageTemplate: DEFAULT_COMMIT_MESSAGE_TEMPLATE },
                push: { branch: "main" },
            },
            update: { path: "./app/overlays/prod", strategy: "Setters" },
        });
        assert.deepEqual(automation.policyNames, { "task-service": "task-service" });
        for (const resource of [repository, policy, update]) {
            validateObject(resource);
        }
    });

    it("reflects the chosen tag's digest once for digest pinning", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const automation = new ImageAutomation("pinned", { images: [{ name: "task-service", image: `${ECR}/task-service`, semverRange: "1.1.x" }], digestPinning: true });
        await valueOf(automation.namespace);
        await settled(cloud);
        const policy = cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy", "pinned-task-service-policy");
        assert.deepEqual(policy.inputs.spec, { imageRepositoryRef: { name: "task-service" }, policy: { semver: { range: "1.1.x" } }, digestReflectionPolicy: "IfNotPresent" });
        validateObject(policy);
    });

    it("uses provider generic and insecure for a local registry", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new ImageAutomation("lab", { images: [{ name: "task-service", image: "127.0.0.1:5000/mamezou-tech/task-service", semverRange: "1.1.x" }], insecureRegistry: true });
        await settled(cloud);
        const spec = cloud.get("kubernetes:image.toolkit.fluxcd.io/v1:ImageRepository", "lab-task-service-repository").inputs.spec;
        assert.deepEqual([spec.provider, spec.insecure], ["generic", true]);
        assert.equal(cloud.ofType("kubernetes:image.toolkit.fluxcd.io/v1:ImageUpdateAutomation").length, 0);
    });

    it("rejects 1.1.x.y, capitals, tags in the image and the seed's removed template field", () => {
        assert.deepEqual(
            validationProblems(
                () =>
                    new ImageAutomation("a", {
                        images: [{ name: "Task-Service", image: `${ECR}/task-service:1.0.0`, semverRange: "1.1.x.y" }],
                        automation: { gitRepository: "task-tool", updatePath: "./app/overlays/prod", messageTemplate: "{{range .Updated.Images}}{{println .}}{{end}}" },
                    }),
            ),
            [
                'images[0].name = "Task-Service": must be a Kubernetes object name (RFC 1123 subdomain): at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
                `images[0].semverRange = "1.1.x.y": must be a semver range such as 1.1.x, ^1.2.0 or >=1.0.0 <2.0.0; Flux's image-reflector-controller refuses this one: it has an improper constraint "1.1.x.y"`,
                `images[0].image = "${ECR}/task-service:1.0.0": must be an image repository without tag or digest`,
                'automation.messageTemplate = "{{range .Updated.Images}}{{println .}}{{end}}": uses .Updated.Images, which Flux 2.7 removed (the automation would stall); use {{ range .Changed.Changes }}{{ println .NewValue }}{{ end }}',
            ],
        );
    });

    it("accepts templates on .Changed and flags unbalanced ones", () => {
        assert.deepEqual(checkCommitMessageTemplate("t", DEFAULT_COMMIT_MESSAGE_TEMPLATE), []);
        assert.deepEqual(checkCommitMessageTemplate("t", "{{ range .Changed.Changes }}{{ .NewValue }}{{ end }}"), []);
        assert.match(checkCommitMessageTemplate("t", "{{ .Updated }}")[0].rule, /use \.Changed/);
        assert.match(checkCommitMessageTemplate("t", "{{ .Changed ")[0].rule, /1 '\{\{' but 0 '\}\}'/);
    });
});

describe("GitHubReceiver", () => {
    it("computes the webhook path as notification-controller does", () => {
        // sha256("abc" + "task-tool" + "flux-system"), computed independently with Python's hashlib.
        assert.equal(receiverWebhookPath("abc", "task-tool", "flux-system"), "/hook/31a5106f062d51ad4735d61898117fad1c0ebe5eef6fc746941629c8c5887ec3");
    });

    it("registers a signed push webhook at the Ingress host and keeps the token secret", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const receiver = new GitHubReceiver("task-tool", {
            gitRepository: "task-tool",
            repository: "task-tool-cluster-config",
            exposure: { kind: "ingress", host: "flux-webhook.example.com", ingressClassName: "alb", tlsSecretName: "webhook-tls" },
        });
        const url = await valueOf(receiver.webhookUrl);
        assert.equal(await isSecretOutput(receiver.webhookUrl), true);
        await settled(cloud);
        const token = cloud.get("kubernetes:core/v1:Secret", "task-tool-token");
        assert.deepEqual(token.secretPaths, ["stringData"]);
        const receiverObject = cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "task-tool-receiver");
        assert.deepEqual(receiverObject.inputs.spec, {
            type: "github",
            events: ["ping", "push"],
            secretRef: { name: contentNamedSecret("task-tool-token", [token.inputs.stringData.token]) },
            resources: [{ apiVersion: "source.toolkit.fluxcd.io/v1", kind: "GitRepository", name: "task-tool" }],
        });
        assert.equal(token.inputs.metadata.name, receiverObject.inputs.spec.secretRef.name);
        assert.deepEqual(receiverObject.secretPaths, [], "the Secret's name is a hash of the token, not the token: the Receiver's diff stays visible");
        validateObject(receiverObject);
        const webhook = cloud.get("github:index/repositoryWebhook:RepositoryWebhook", "task-tool-webhook");
        assert.deepEqual(webhook.inputs.events, ["push"]);
        assert.equal(webhook.inputs.configuration.contentType, "json");
        assert.equal(webhook.inputs.configuration.url, url);
        assert.equal(url, `https://flux-webhook.example.com${receiverWebhookPath(token.inputs.stringData.token, "task-tool", "flux-system")}`);
        assert.equal(webhook.inputs.configuration.secret, token.inputs.stringData.token);
        assert.ok(webhook.dependencies.includes(receiverObject.urn), "registered once the Receiver is Ready, so GitHub's ping is not refused");
        const ingress = cloud.get("kubernetes:networking.k8s.io/v1:Ingress", "task-tool-ingress").inputs.spec;
        assert.equal(ingress.rules[0].http.paths[0].backend.service.name, "webhook-receiver");
        assert.deepEqual(ingress.tls, [{ hosts: ["flux-webhook.example.com"], secretName: "webhook-tls" }]);
    });

    it("rotates: a generated token replaced when tokenRotation changes, another existing token is another Secret", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new GitHubReceiver("task-tool", { gitRepository: "task-tool", repository: "cfg", exposure: { kind: "external", baseUrl: "https://hooks.example.com" }, tokenRotation: 2 });
        new GitHubReceiver("plain", { gitRepository: "task-tool", exposure: { kind: "external", baseUrl: "https://hooks.example.com" } });
        await settled(cloud);
        assert.equal(cloud.get("random:index/randomPassword:RandomPassword", "task-tool-token").options.replacementTrigger, 2);
        assert.equal(cloud.get("random:index/randomPassword:RandomPassword", "plain-token").options.replacementTrigger, 0, "always set, so the first rotation is a change");
        const secretNames = new Set<string>();
        for (const token of ["a".repeat(32), "b".repeat(32)]) {
            const other = await useMockCloud(new MockCloud());
            new GitHubReceiver("lab", { gitRepository: "task-tool", token, exposure: { kind: "external", baseUrl: "https://hooks.example.com" } });
            await settled(other);
            const secret = other.get("kubernetes:core/v1:Secret", "lab-token");
            assert.equal(other.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "lab-receiver").inputs.spec.secretRef.name, secret.inputs.metadata.name);
            secretNames.add(secret.inputs.metadata.name);
        }
        assert.equal(secretNames.size, 2, "a new token is a new Secret, created beside the old one");
        assert.deepEqual(validationProblems(() => new GitHubReceiver("r", { gitRepository: "g", exposure: { kind: "external", baseUrl: "https://h.example.com" }, tokenRotation: -1 })), [
            "tokenRotation = -1: must be a whole number from 0 up; raise it by one to rotate",
        ]);
    });

    it("takes an existing token, so no random provider is needed, and keeps it secret", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const token = "lab-token-0123456789abcdef0123456789";
        const receiver = new GitHubReceiver("lab", { gitRepository: "task-tool", repository: "cfg", token, exposure: { kind: "external", baseUrl: "https://flux-webhook.lab.invalid" } });
        assert.equal(await valueOf(receiver.webhookUrl), `https://flux-webhook.lab.invalid${receiverWebhookPath(token, "lab", "flux-system")}`);
        await settled(cloud);
        assert.ok(!cloud.resources.some((r) => r.type === "random:index/randomPassword:RandomPassword"));
        assert.equal(cloud.get("kubernetes:core/v1:Secret", "lab-token").inputs.stringData.token, token);
        assert.equal(cloud.get("kubernetes:core/v1:Secret", "lab-token").inputs.metadata.name, contentNamedSecret("lab-token", [token]));
        const webhook = cloud.get("github:index/repositoryWebhook:RepositoryWebhook", "lab-webhook");
        assert.equal(webhook.inputs.configuration.secret, token);
        assert.deepEqual(webhook.secretPaths, ["configuration"]);
    });

    it("registers no GitHub webhook without a repository, for a Git server that sends the push event itself", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const token = "lab-token-0123456789abcdef0123456789";
        const receiver = new GitHubReceiver("lab", { gitRepository: "task-tool", token, exposure: { kind: "external", baseUrl: "https://flux-webhook.lab.invalid" } });
        assert.equal(await valueOf(receiver.webhookUrl), `https://flux-webhook.lab.invalid${receiverWebhookPath(token, "lab", "flux-system")}`);
        await settled(cloud);
        assert.deepEqual(cloud.resources.filter((r) => r.type.startsWith("github:")), []);
        assert.equal(cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "lab-receiver").inputs.spec.resources[0].name, "task-tool");
    });

    it("makes pulumi up wait until the Receiver is Ready, which is when notification-controller serves its path", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const exposure = { kind: "external", baseUrl: "https://hooks.example.com" } as const;
        new GitHubReceiver("plain", { gitRepository: "task-tool", exposure });
        new GitHubReceiver("patient", { gitRepository: "task-tool", exposure, readyTimeout: "1m30s" });
        await settled(cloud);
        assert.deepEqual(cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "plain-receiver").inputs.metadata.annotations, {
            "pulumi.com/waitFor": "condition=Ready",
            "pulumi.com/timeoutSeconds": "120",
        });
        assert.equal(cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "patient-receiver").inputs.metadata.annotations["pulumi.com/timeoutSeconds"], "90");
        assert.deepEqual(validationProblems(() => new GitHubReceiver("r", { gitRepository: "g", exposure, readyTimeout: "2 minutes" })), [
            'readyTimeout = "2 minutes": must be a Go duration made of numbers with units ms, s, m or h, such as 30s, 5m or 1h30m',
        ]);
    });

    it("refuses a short token without showing it, and an exposure GitHub cannot reach", () => {
        assert.deepEqual(validationProblems(() => new GitHubReceiver("r", { gitRepository: "g", repository: "r", token: "hunter2", exposure: { kind: "cluster" } })), [
            'exposure.kind = "cluster": GitHub calls the webhook from outside the cluster; choose ingress, load-balancer or external',
            'token = "[secret]": must be at least 32 characters without whitespace: it is the only secret in the webhook path',
        ]);
    });

    it("refuses a plain-http external URL", () => {
        assert.deepEqual(validationProblems(() => new GitHubReceiver("r", { gitRepository: "g", repository: "r", exposure: { kind: "external", baseUrl: "http://hooks.example.com" } })), [
            'exposure.baseUrl = "http://hooks.example.com": must be an https:// URL: GitHub sends the HMAC-signed payload there',
        ]);
    });

    it("checks the names it derives: the token Secret and the webhook Service", () => {
        const long = `r${"e".repeat(55)}`;
        assert.deepEqual(validationProblems(() => new GitHubReceiver("r", { name: long, gitRepository: "g", repository: "r", exposure: { kind: "load-balancer", host: "hooks.example.com" } })), [
            `name = "${long}": makes the webhook Service's name too long or invalid: must be an RFC 1035 label: at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
        ]);
        const longer = "r".repeat(250);
        assert.match(
            validationProblems(() => new GitHubReceiver("r", { name: longer, gitRepository: "g", repository: "r", exposure: { kind: "external", baseUrl: "https://hooks.example.com" } }))[0],
            /^name = "r+": makes its token Secret's name too long or invalid: must be a Kubernetes object name \(RFC 1123 subdomain\): at most 253/,
        );
    });
});

describe("readiness", () => {
    it("turns Go durations into the provider's timeout seconds", () => {
        assert.deepEqual(["5m", "90s", "1h30m", "1.5s", "500ms"].map(durationSeconds), [300, 90, 5400, 2, 1]);
    });
});
