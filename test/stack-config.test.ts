import { strict as assert } from "node:assert";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { readStackConfig } from "../stack/config.js";
import { loadProjectConfig, toRuntimeConfig } from "../stack/project-config.js";
import { validationProblems } from "../testing/problems.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

function prodConfig(overrides: Record<string, unknown> = {}) {
    const { project, values } = loadProjectConfig(projectDir, "prod");
    const merged = toRuntimeConfig({ ...values, "eks-flux-gitops:githubOwner": "octo-org", "eks-flux-gitops:deployFromInsideVpc": true, ...overrides });
    return () => readStackConfig(project, (key) => merged[key]);
}


describe("stack config", () => {
    it("reproduces the tutorial's prod stack from Pulumi.prod.yaml", () => {
        const config = prodConfig()();
        assert.equal(config.clusterName, "mz-k8s");
        assert.equal(config.configRepository, "task-tool-cluster-config");
        assert.deepEqual(config.apps, ["task-service", "task-reporter", "task-web"]);
        assert.equal(config.imageNamePrefix, "mamezou-tech");
        assert.deepEqual(config.imagePolicies, [{ app: "task-service", semverRange: "1.1.x" }]);
        assert.equal(config.sourceInterval, "30s");
        assert.equal(config.syncInterval, "5m");
        assert.equal(config.imageScanInterval, "1m");
        assert.equal(config.targetNamespace, "prod");
        assert.equal(config.syncPath, "./app/overlays/prod");
        assert.equal(config.branch, "main");
        assert.equal(config.imageAutomation, true);
        assert.deepEqual(config.clusterPublicAccessCidrs, []);
    });

    it("takes the project defaults from Pulumi.yaml", () => {
        const { values } = loadProjectConfig(projectDir, "prod");
        assert.equal(values["eks-flux-gitops:kubernetesVersion"], "1.34");
        assert.equal(values["eks-flux-gitops:fluxReadyTimeout"], "5m");
        assert.equal(values["aws:region"], "ap-northeast-1");
    });

    it("asks for the GitHub owner when it is missing", () => {
        assert.deepEqual(validationProblems(prodConfig({ "eks-flux-gitops:githubOwner": undefined })), [
            "eks-flux-gitops:githubOwner = null: is required: set it with `pulumi config set githubOwner <value>`",
        ]);
    });

    it("refuses a private endpoint unless the config says the deploy runs inside the VPC, naming both keys", () => {
        assert.deepEqual(validationProblems(prodConfig({ "eks-flux-gitops:deployFromInsideVpc": false })), [
            "eks-flux-gitops:clusterPublicAccessCidrs = []: is empty, so the API endpoint is private and `pulumi up` could reach it only from inside the VPC: " +
                "list the deploying machine's egress CIDRs here, or set eks-flux-gitops:deployFromInsideVpc to true when pulumi runs inside the VPC (e.g. a self-hosted runner there)",
        ]);
        const outside = prodConfig({ "eks-flux-gitops:deployFromInsideVpc": false, "eks-flux-gitops:clusterPublicAccessCidrs": ["203.0.113.10/32"] })();
        assert.deepEqual([outside.deployFromInsideVpc, outside.clusterPublicAccessCidrs], [false, ["203.0.113.10/32"]]);
        assert.equal(prodConfig()().deployFromInsideVpc, true);
    });

    it("turns the deploy, preview and people keys into access entries, each with its access policy", () => {
        const config = prodConfig({
            "eks-flux-gitops:deployRoleArn": "arn:aws:iam::123456789012:role/github-deploy",
            "eks-flux-gitops:previewRoleArn": "arn:aws:iam::123456789012:role/github-preview",
            "eks-flux-gitops:clusterAdminArns": ["arn:aws:iam::123456789012:role/platform-admins"],
            "eks-flux-gitops:clusterViewerArns": ["arn:aws:iam::123456789012:user/alice"],
        })();
        assert.deepEqual(config.clusterAccess, [
            { principalArn: "arn:aws:iam::123456789012:role/github-deploy", access: "cluster-admin" },
            { principalArn: "arn:aws:iam::123456789012:role/github-preview", access: "view" },
            { principalArn: "arn:aws:iam::123456789012:role/platform-admins", access: "cluster-admin" },
            { principalArn: "arn:aws:iam::123456789012:user/alice", access: "view" },
        ]);
        assert.deepEqual(prodConfig()().clusterAccess, []);
        assert.deepEqual(
            validationProblems(
                prodConfig({
                    "eks-flux-gitops:previewRoleArn": "arn:aws:sts::123456789012:assumed-role/github-preview/run-1",
                    "eks-flux-gitops:deployRoleArn": "github-deploy",
                    "eks-flux-gitops:clusterAdminArns": ["arn:aws:iam::123456789012:role/ops"],
                    "eks-flux-gitops:clusterViewerArns": ["arn:aws:iam::123456789012:role/ops"],
                }),
            ),
            [
                'eks-flux-gitops:deployRoleArn = "github-deploy": must be an IAM role or user ARN such as arn:aws:iam::123456789012:role/deploy',
                "eks-flux-gitops:previewRoleArn = \"arn:aws:sts::123456789012:assumed-role/github-preview/run-1\": is an STS session ARN; give the IAM role's ARN, arn:aws:iam::<account>:role/<name>",
                'eks-flux-gitops:clusterViewerArns[0] = "arn:aws:iam::123456789012:role/ops": is already given access by eks-flux-gitops:clusterAdminArns[0]; EKS allows one access entry per principal',
            ],
        );
    });

    it("names the config key of a bad semver range", () => {
        const problems = validationProblems(prodConfig({ "eks-flux-gitops:imagePolicies": ["task-service=1.1.x.y"] }));
        assert.equal(problems.length, 1);
        assert.match(problems[0], /^eks-flux-gitops:imagePolicies\[0\] = "1.1.x.y": must be a semver range/);
    });

    it("rejects a policy for an app that is not listed", () => {
        const problems = validationProblems(prodConfig({ "eks-flux-gitops:imagePolicies": ["task-api=1.x"] }));
        assert.deepEqual(problems, [
            'eks-flux-gitops:imagePolicies[0] = "task-api=1.x": names app "task-api", which is not in apps (task-service, task-reporter, task-web)',
        ]);
    });

    it("rejects duplicate app names and duplicate policies", () => {
        const problems = validationProblems(
            prodConfig({
                "eks-flux-gitops:apps": ["task-service", "task-web", "task-service"],
                "eks-flux-gitops:imagePolicies": ["task-service=1.1.x", "task-service=1.2.x"],
            }),
        );
        assert.deepEqual(problems, [
            'eks-flux-gitops:apps[2] = "task-service": must be unique; it appears earlier in the list',
            'eks-flux-gitops:imagePolicies[1] = "task-service": must give each app one policy; this app has one earlier in the list',
        ]);
    });

    it("reports every problem at once, one message each", () => {
        const problems = validationProblems(
            prodConfig({
                "eks-flux-gitops:githubOwner": "-bad-",
                "eks-flux-gitops:sourceInterval": "30 seconds",
                "eks-flux-gitops:targetNamespace": "Prod",
                "eks-flux-gitops:apps": ["task-service", "Task_Web"],
                "eks-flux-gitops:imagePolicies": [],
                "eks-flux-gitops:clusterPublicAccessCidrs": ["0.0.0.0/0"],
                "eks-flux-gitops:nodeDesiredSize": 9,
                "eks-flux-gitops:syncPath": "app/overlays/prod",
            }),
        );
        const fields = problems.map((p) => p.split(" = ")[0]);
        assert.deepEqual(fields, [
            "eks-flux-gitops:githubOwner",
            "eks-flux-gitops:nodeDesiredSize",
            "eks-flux-gitops:clusterPublicAccessCidrs[0]",
            "eks-flux-gitops:apps[1]",
            "eks-flux-gitops:apps[1]",
            "eks-flux-gitops:targetNamespace",
            "eks-flux-gitops:syncPath",
            "eks-flux-gitops:sourceInterval",
        ]);
        assert.match(problems[7], /"30 seconds": must be a Go duration/);
    });

    it("rejects structured values of the wrong shape", () => {
        assert.deepEqual(validationProblems(prodConfig({ "eks-flux-gitops:apps": "task-service" })), [
            'eks-flux-gitops:apps = "task-service": must be a list of strings',
            "eks-flux-gitops:apps = []: must list at least one app",
            'eks-flux-gitops:imagePolicies[0] = "task-service=1.1.x": names app "task-service", which is not in apps ()',
        ]);
    });

    it("keeps image push events off by default, and reads their host, class and rate limit", () => {
        const off = prodConfig()();
        assert.equal(off.imageDigestPinning, false);
        assert.deepEqual(validationProblems(prodConfig({ "eks-flux-gitops:imageDigestPinning": true, "eks-flux-gitops:imagePolicies": [] })), [
            "eks-flux-gitops:imageDigestPinning = true: needs imagePolicies: only the images Flux updates are pinned",
        ]);
        assert.deepEqual([off.imagePushEvents, off.imagePushIngressClass, off.imagePushRateLimitPerSecond], [false, "alb", 5]);
        const on = prodConfig({ "eks-flux-gitops:imagePushEvents": true, "eks-flux-gitops:imagePushReceiverHost": "flux-webhook.example.com", "eks-flux-gitops:imagePushRateLimitPerSecond": 2 })();
        assert.deepEqual([on.imagePushEvents, on.imagePushReceiverHost, on.imagePushRateLimitPerSecond], [true, "flux-webhook.example.com", 2]);
    });

    it("reads the rotation counters, 0 unless set, and refuses what is not a whole number from 0 up", () => {
        const defaults = prodConfig({})();
        assert.deepEqual([defaults.deployKeyRotation, defaults.receiverTokenRotation], [0, 0]);
        const rotated = prodConfig({ "eks-flux-gitops:deployKeyRotation": 3, "eks-flux-gitops:receiverTokenRotation": 1 })();
        assert.deepEqual([rotated.deployKeyRotation, rotated.receiverTokenRotation], [3, 1]);
        assert.deepEqual(validationProblems(prodConfig({ "eks-flux-gitops:deployKeyRotation": -1, "eks-flux-gitops:receiverTokenRotation": 1.5 })), [
            "eks-flux-gitops:deployKeyRotation = -1: must be a whole number from 0 up; raise it by one to rotate",
            "eks-flux-gitops:receiverTokenRotation = 1.5: must be a whole number",
        ]);
    });

    it("names the image push keys that are missing or out of range", () => {
        assert.deepEqual(validationProblems(prodConfig({ "eks-flux-gitops:imagePushEvents": true, "eks-flux-gitops:imagePushRateLimitPerSecond": 0 })), [
            "eks-flux-gitops:imagePushReceiverHost = \"\": is required: set it with `pulumi config set imagePushReceiverHost <value>`",
            "eks-flux-gitops:imagePushRateLimitPerSecond = 0: must be from 1 to 300 calls per second (EventBridge's default and usual quota per API destination is 300)",
        ]);
        assert.deepEqual(
            validationProblems(prodConfig({ "eks-flux-gitops:imagePushEvents": true, "eks-flux-gitops:imagePolicies": [], "eks-flux-gitops:imagePushReceiverHost": "https://hooks" })),
            [
                "eks-flux-gitops:imagePushEvents = true: needs imagePolicies: the push events rescan the ImageRepositories of the apps with a policy",
                'eks-flux-gitops:imagePushReceiverHost = "https://hooks": must be a DNS name such as flux-webhook.example.com, with a certificate the Ingress serves',
            ],
        );
    });

    it("names the key of every rule Flux, git and Kubernetes apply, with the value and the rule", () => {
        const cases: Array<[Record<string, unknown>, string]> = [
            [{ "eks-flux-gitops:imagePolicies": ["task-service=>=1.0.0,,<2.0.0"] }, `eks-flux-gitops:imagePolicies[0] = ">=1.0.0,,<2.0.0": must be a semver range such as 1.1.x, ^1.2.0 or >=1.0.0 <2.0.0; Flux's image-reflector-controller refuses this one: it has an improper constraint ">=1.0.0,,<2.0.0"`],
            [{ "eks-flux-gitops:syncInterval": "0s" }, 'eks-flux-gitops:syncInterval = "0s": must be longer than zero: Flux runs intervals and timeouts of 0 in a loop or not at all'],
            [{ "eks-flux-gitops:sourceInterval": "3000000h" }, `eks-flux-gitops:sourceInterval = "3000000h": is longer than Go's largest duration (2562047h47m16.854775807s); Flux cannot parse it`],
            [{ "eks-flux-gitops:branch": "HEAD" }, 'eks-flux-gitops:branch = "HEAD": must be a Git branch name (git check-ref-format --branch): it is HEAD, which git reads as the current commit, not as a branch'],
            [{ "eks-flux-gitops:branch": "release." }, `eks-flux-gitops:branch = "release.": must be a Git branch name (git check-ref-format --branch): it ends with '.'`],
            [{ "eks-flux-gitops:branch": ".main" }, `eks-flux-gitops:branch = ".main": must be a Git branch name (git check-ref-format --branch): it has a '/'-separated part that starts with '.' or ends with '.lock'`],
            [
                { "eks-flux-gitops:apps": ["task-service", "a".repeat(59)], "eks-flux-gitops:imageNamePrefix": "" },
                `eks-flux-gitops:apps[1] = "${"a".repeat(59)}": gives the overlay's Service name "prod-${"a".repeat(59)}", which must be an RFC 1035 label: at most 63 lowercase letters, digits and '-', starting with a letter and ending with a letter or digit`,
            ],
            [{ "eks-flux-gitops:targetNamespace": "flux-system" }, `eks-flux-gitops:targetNamespace = "flux-system": is Flux's own namespace (flux-system), which the Flux install owns; give the app a namespace of its own`],
            [{ "eks-flux-gitops:targetNamespace": "kube-system" }, 'eks-flux-gitops:targetNamespace = "kube-system": is a system namespace of the cluster (kube-system, kube-public, kube-node-lease); give the app a namespace of its own'],
            [{ "eks-flux-gitops:syncPath": "./app/base" }, `eks-flux-gitops:syncPath = "./app/base": is the seed's base folder ./app/base or inside it; the overlay would overwrite the base's kustomization.yaml. Use a folder of its own such as ./app/overlays/prod`],
            [{ "eks-flux-gitops:syncPath": "./app/base/prod" }, `eks-flux-gitops:syncPath = "./app/base/prod": is the seed's base folder ./app/base or inside it; the overlay would overwrite the base's kustomization.yaml. Use a folder of its own such as ./app/overlays/prod`],
            [
                { "eks-flux-gitops:clusterPublicAccessCidrs": ["0.0.0.0/1", "128.0.0.0/1"] },
                'eks-flux-gitops:clusterPublicAccessCidrs = ["0.0.0.0/1","128.0.0.0/1"]: together cover every IPv4 address, which opens the API endpoint to the whole internet; list the addresses that deploy',
            ],
            [
                { "eks-flux-gitops:gitSshCidrs": ["::/1", "8000::/1"] },
                `eks-flux-gitops:gitSshCidrs = ["::/1","8000::/1"]: together cover every IPv6 address, which opens SSH from the nodes to the whole internet; list your Git host's CIDRs, or leave gitSshCidrs empty for GitHub's published ranges`,
            ],
            [{ "eks-flux-gitops:syncDeletionPolicy": "Keep" }, 'eks-flux-gitops:syncDeletionPolicy = "Keep": must be one of Orphan, Delete, WaitForTermination, MirrorPrune'],
        ];
        for (const [overrides, message] of cases) {
            assert.deepEqual(validationProblems(prodConfig(overrides)), [message]);
        }
    });

    it("orphans the app on destroy unless the stack says otherwise", () => {
        assert.equal(prodConfig()().syncDeletionPolicy, "Orphan");
        assert.equal(prodConfig({ "eks-flux-gitops:syncDeletionPolicy": "Delete" })().syncDeletionPolicy, "Delete");
    });
});
