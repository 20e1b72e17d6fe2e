import { strict as assert } from "node:assert";
import { contentNamedSecret } from "../../components/flux/content-named-secret.js";
import { checkGitHubActionsCaller, githubActionsOidcProvider } from "../../components/flux/github-actions-oidc.js";
import { ImagePushReceiver } from "../../components/flux/image-push-receiver.js";
import { checkReceiverSpecRules, imagePushReceiver, receiverWebhookPath } from "../../components/flux/receiver-manifests.js";
import { receiverBaseUrl, receiverExposureObject } from "../../components/flux/receiver-exposure.js";
import { validateKubernetesObject } from "../../components/kubernetes-schema.js";
import { MockCloud, isSecretOutput, settled, useMockCloud, valueOf } from "../../testing/mock-cloud.js";
import { validationProblems } from "../../testing/problems.js";

const TOKEN = "0123456789abcdef0123456789abcdef0123";

describe("ImagePushReceiver", () => {
    it("rescans the listed ImageRepositories through a generic Receiver, with an existing token kept secret", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const receiver = new ImagePushReceiver("images", {
            imageRepositories: ["task-service", "task-web"],
            token: TOKEN,
            exposure: { kind: "ingress", host: "flux-webhook.example.com", ingressClassName: "alb" },
        });
        const url = await valueOf(receiver.webhookUrl);
        assert.equal(url, `https://flux-webhook.example.com${receiverWebhookPath(TOKEN, "images", "flux-system")}`);
        assert.equal(await isSecretOutput(receiver.webhookUrl), true);
        assert.equal(await isSecretOutput(receiver.token!), true);
        await settled(cloud);
        const object = cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "images-receiver");
        assert.deepEqual(object.inputs.spec, {
            type: "generic",
            secretRef: { name: contentNamedSecret("images-token", [TOKEN]) },
            resources: [
                { apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImageRepository", name: "task-service" },
                { apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImageRepository", name: "task-web" },
            ],
        });
        validateKubernetesObject("test", object.inputs as never);
        const secret = cloud.get("kubernetes:core/v1:Secret", "images-token");
        assert.deepEqual(secret.inputs.stringData, { token: TOKEN });
        assert.equal(secret.inputs.metadata.name, object.inputs.spec.secretRef.name);
        assert.deepEqual(secret.secretPaths, ["stringData"]);
        assert.ok(!cloud.resources.some((r) => r.type === "random:index/randomPassword:RandomPassword"), "an existing token needs no random provider");
        const ingress = cloud.get("kubernetes:networking.k8s.io/v1:Ingress", "images-ingress").inputs;
        assert.equal(ingress.metadata.name, "images-webhook");
        assert.equal(ingress.spec.ingressClassName, "alb");
        assert.deepEqual(ingress.spec.rules[0].http.paths[0], { path: "/hook/", pathType: "Prefix", backend: { service: { name: "webhook-receiver", port: { name: "http" } } } });
    });

    it("generates a token and exposes nothing by default, serving inside the cluster", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const receiver = new ImagePushReceiver("images", { imageRepositories: ["task-service"] });
        const url = await valueOf(receiver.webhookUrl);
        await settled(cloud);
        const token = cloud.get("kubernetes:core/v1:Secret", "images-token").inputs.stringData.token;
        assert.equal(token.length, 40);
        assert.equal(url, `http://webhook-receiver.flux-system.svc.cluster.local${receiverWebhookPath(token, "images", "flux-system")}`);
        assert.ok(!cloud.resources.some((r) => r.type.includes("Ingress") || r.type === "kubernetes:core/v1:Service"));
    });

    it("admits GitHub Actions workflows of the listed repositories and refs by OIDC, with no token", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const receiver = new ImagePushReceiver("ci", {
            imageRepositories: ["task-service"],
            type: "generic-oidc",
            githubActions: { repositories: ["mamezou-tech/task-service"] },
            exposure: { kind: "external", baseUrl: "https://hooks.example.com/" },
        });
        assert.equal(receiver.token, undefined);
        // No secret in the path: sha256 of the name and namespace alone, as notification-controller computes it.
        assert.equal(await valueOf(receiver.webhookUrl), `https://hooks.example.com${receiverWebhookPath("", "ci", "flux-system")}`);
        assert.equal(await isSecretOutput(receiver.webhookUrl), false);
        await settled(cloud);
        const object = cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "ci-receiver");
        assert.deepEqual(object.inputs.spec, {
            type: "generic-oidc",
            oidcProviders: [
                {
                    issuerURL: "https://token.actions.githubusercontent.com",
                    audience: "notification-controller",
                    validations: [
                        { expression: "claims.repository in ['mamezou-tech/task-service']", message: "only workflows of mamezou-tech/task-service may trigger an image scan" },
                        { expression: "claims.ref in ['refs/heads/main']", message: "only workflows running on refs/heads/main may trigger an image scan" },
                    ],
                },
            ],
            resources: [{ apiVersion: "image.toolkit.fluxcd.io/v1", kind: "ImageRepository", name: "task-service" }],
        });
        validateKubernetesObject("test", object.inputs as never);
        assert.ok(!cloud.resources.some((r) => r.type === "kubernetes:core/v1:Secret"));
    });

    it("makes pulumi up wait until the Receiver is Ready, so callers given its URL are never refused", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new ImagePushReceiver("images", { imageRepositories: ["task-service"] });
        new ImagePushReceiver("ci", { imageRepositories: ["task-service"], type: "generic-oidc", githubActions: { repositories: ["o/r"] }, readyTimeout: "45s" });
        await settled(cloud);
        assert.deepEqual(cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "images-receiver").inputs.metadata.annotations, {
            "pulumi.com/waitFor": "condition=Ready",
            "pulumi.com/timeoutSeconds": "120",
        });
        assert.equal(cloud.get("kubernetes:notification.toolkit.fluxcd.io/v1:Receiver", "ci-receiver").inputs.metadata.annotations["pulumi.com/timeoutSeconds"], "45");
        assert.deepEqual(validationProblems(() => new ImagePushReceiver("r", { imageRepositories: ["a"], readyTimeout: "0s" })), ['readyTimeout = "0s": must be longer than zero: Flux runs intervals and timeouts of 0 in a loop or not at all']);
    });

    it("refuses what Flux would refuse, naming each field, and never shows a token", () => {
        assert.deepEqual(
            validationProblems(() => new ImagePushReceiver("r", { imageRepositories: [], type: "github" as never, token: "short secret" })),
            [
                'imageRepositories = []: must list at least one ImageRepository to rescan',
                'token = "[secret]": must be at least 32 characters without whitespace: it is the only secret in the webhook path',
                'type = "github": must be one of generic, generic-hmac, generic-oidc: the Receiver types a registry or CI can call',
            ],
        );
        assert.deepEqual(
            validationProblems(() => new ImagePushReceiver("r", { imageRepositories: ["Task", "*", "a", "a"], exposure: { kind: "external", baseUrl: "http://hooks.example.com" } })),
            [
                'imageRepositories[0] = "Task": must be a Kubernetes object name (RFC 1123 subdomain): at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
                'imageRepositories[1] = "*": must be a Kubernetes object name (RFC 1123 subdomain): at most 253 lowercase letters, digits, \'-\' and \'.\', starting and ending with a letter or digit',
                "imageRepositories[3] = \"a\": must be unique; it appears earlier in the list",
                'exposure.baseUrl = "http://hooks.example.com": must be an https:// URL: the webhook path is the receiver\'s secret',
            ],
        );
        assert.deepEqual(validationProblems(() => new ImagePushReceiver("r", { imageRepositories: ["a"], type: "generic-oidc", token: TOKEN })), [
            'githubActions = null: is required with type "generic-oidc": it names the workflows the Receiver admits',
            'token = "[secret]": must not be set with type "generic-oidc": the caller proves itself with its OIDC token',
        ]);
        assert.deepEqual(
            validationProblems(() => new ImagePushReceiver("r", { imageRepositories: ["a"], type: "generic-oidc", githubActions: { repositories: ["o/r"] }, exposure: { kind: "external", baseUrl: "http://ci.example.com" } })),
            ['exposure.baseUrl = "http://ci.example.com": must be an https:// URL: the caller\'s OIDC token travels in its Authorization header'],
        );
        assert.deepEqual(validationProblems(() => new ImagePushReceiver("r", { imageRepositories: ["a"], githubActions: { repositories: ["o/r"] } })), [
            'githubActions = {"repositories":["o/r"]}: only applies to type "generic-oidc", not "generic"',
        ]);
    });
});

describe("GitHub Actions OIDC caller", () => {
    it("refuses an empty allow-list and values that would break the CEL strings", () => {
        assert.deepEqual(
            checkGitHubActionsCaller("githubActions", { repositories: [], refs: ["main", "refs/heads/x' || true || '"], audience: "a b" }).map((p) => `${p.field}: ${p.rule}`),
            [
                "githubActions.repositories: must list at least one owner/name repository: any GitHub user can get a token from this issuer",
                "githubActions.refs[0]: must be a full Git ref such as refs/heads/main or refs/tags/v1.2.3, without quotes, backslashes or spaces",
                "githubActions.refs[1]: must be a full Git ref such as refs/heads/main or refs/tags/v1.2.3, without quotes, backslashes or spaces",
                "githubActions.audience: must be a non-empty audience without quotes, backslashes or spaces",
            ],
        );
        assert.deepEqual(checkGitHubActionsCaller("c", { repositories: ["not-a-repo"] }).map((p) => p.field), ["c.repositories[0]"]);
    });

    it("writes each allowed repository and ref into the validations", () => {
        const provider = githubActionsOidcProvider({ repositories: ["o/a", "o/b"], refs: ["refs/heads/main", "refs/tags/v1"], audience: "flux" });
        assert.equal(provider.audience, "flux");
        assert.deepEqual(provider.validations.map((v) => v.expression), ["claims.repository in ['o/a', 'o/b']", "claims.ref in ['refs/heads/main', 'refs/tags/v1']"]);
    });
});

describe("Receiver spec rules and schema", () => {
    it("states the CRD's CEL rules on type, secretRef and oidcProviders", () => {
        assert.deepEqual(checkReceiverSpecRules({ type: "generic" }).map((p) => p.rule), ["secretRef is required when type is not generic-oidc"]);
        assert.deepEqual(checkReceiverSpecRules({ type: "generic-oidc", secretRef: { name: "t" } }).map((p) => p.rule), [
            "generic-oidc receivers must define at least one oidcProvider",
            "secretRef cannot be set when type is generic-oidc",
        ]);
        assert.deepEqual(checkReceiverSpecRules({ type: "generic", secretRef: { name: "t" }, oidcProviders: [{}] }).map((p) => p.rule), ["oidcProviders can only be set when type is generic-oidc"]);
        assert.deepEqual(checkReceiverSpecRules({ type: "generic", secretRef: { name: "t" } }), []);
    });

    it("validates Receivers against notification-controller v1.9's CRD, which knows generic-oidc", () => {
        assert.throws(() => imagePushReceiver({ name: "r", namespace: "flux-system", type: "generic-oidc", imageRepositories: ["a"], readyTimeout: "2m" }), /generic-oidc receivers must define at least one oidcProvider/);
        assert.throws(
            () => validateKubernetesObject("test", { apiVersion: "notification.toolkit.fluxcd.io/v1", kind: "Receiver", metadata: { name: "r" }, spec: { type: "generic", secretRef: { name: "t" }, resources: [{ kind: "Deployment", name: "a" }] } } as never),
            /Receiver\/r\.spec\.resources\.0\.kind = "Deployment": must be equal to one of the allowed values \(schema of notification\.toolkit\.fluxcd\.io\/v1\/Receiver\)/,
        );
    });

    it("exposes through an Ingress or a LoadBalancer, and serves at the base URL of each kind", () => {
        assert.equal(receiverBaseUrl({ kind: "load-balancer", host: "h.example.com" }, "flux-system"), "http://h.example.com");
        assert.equal(receiverBaseUrl({ kind: "external", baseUrl: "https://gw.example.com/flux//" }, "flux-system"), "https://gw.example.com/flux");
        assert.equal(receiverBaseUrl({ kind: "cluster" }, "flux"), "http://webhook-receiver.flux.svc.cluster.local");
        const service = receiverExposureObject({ name: "w", namespace: "flux-system", exposure: { kind: "load-balancer", host: "h.example.com", annotations: { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" } } });
        assert.deepEqual(service?.spec, { type: "LoadBalancer", selector: { app: "notification-controller" }, ports: [{ name: "http", port: 80, targetPort: "http-webhook" }] });
        assert.deepEqual(service?.metadata.annotations, { "service.beta.kubernetes.io/aws-load-balancer-scheme": "internet-facing" });
        assert.equal(receiverExposureObject({ name: "w", namespace: "flux-system", exposure: { kind: "cluster" } }), undefined);
    });
});
