import { strict as assert } from "node:assert";
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { parse, parseAllDocuments } from "yaml";
import { Deployment } from "kubernetes-models/apps/v1/Deployment";
import { CronJob } from "kubernetes-models/batch/v1/CronJob";
import { Ingress } from "kubernetes-models/networking.k8s.io/v1/Ingress";
import { Service } from "kubernetes-models/v1/Service";
import { checkDeployKeyType, tlsKeyArgs } from "../../components/github/deploy-key.js";
import { knownHosts, knownHostsLines } from "../../components/github/known-hosts.js";
import { seedAppFiles } from "../../components/github/seed-app-files.js";
import { imagePolicyMarker, renderOverlayKustomization, updateOverlayKustomization } from "../../components/github/setter-markers.js";
import { generateOpenSshKeyPair } from "../../testing/openssh-key.js";

const ECR = "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/mamezou-tech";
const seedApps = [
    { name: "task-service", image: `${ECR}/task-service`, tag: "1.0.0", policy: { namespace: "flux-system", name: "task-service" } },
    { name: "task-reporter", image: `${ECR}/task-reporter`, tag: "1.0.0" },
    { name: "task-web", image: `${ECR}/task-web`, tag: "1.0.0" },
];

const overlayImages = seedApps.map(({ name, image, tag, policy }) => ({ name, newName: image, newTag: tag, ...(policy ? { policy } : {}) }));

const MODELS: Record<string, new (data: any) => { validate(): void }> = { Deployment, CronJob, Ingress, Service };

describe("setter markers", () => {
    it("writes Flux's marker as a comment on the same line as the value", () => {
        assert.equal(imagePolicyMarker("flux-system", "task-service", "tag"), ' {"$imagepolicy": "flux-system:task-service:tag"}');
        const text = renderOverlayKustomization({ resources: ["../../base"] }, overlayImages.slice(0, 2));
        const lines = text.split("\n");
        assert.ok(lines.includes(`    newName: ${ECR}/task-service # {"$imagepolicy": "flux-system:task-service:name"}`), text);
        assert.ok(lines.includes('    newTag: 1.0.0 # {"$imagepolicy": "flux-system:task-service:tag"}'), text);
        assert.ok(lines.includes(`    newName: ${ECR}/task-reporter`), "no marker without a policy");
        assert.deepEqual(parse(text).images[0], { name: "task-service", newName: `${ECR}/task-service`, newTag: "1.0.0" });
    });

    it("pins a digest with its own marker, empty until Flux writes the chosen tag's digest", () => {
        const text = renderOverlayKustomization({ resources: ["../../base"] }, [{ ...overlayImages[0], digest: "" }, { ...overlayImages[1], digest: "sha256:abc" }]);
        const lines = text.split("\n");
        assert.ok(lines.includes('    digest: "" # {"$imagepolicy": "flux-system:task-service:digest"}'), text);
        assert.ok(lines.includes("    digest: sha256:abc"), "no marker without a policy");
        assert.deepEqual(parse(text).images[0], { name: "task-service", newName: `${ECR}/task-service`, newTag: "1.0.0", digest: "" });
        assert.equal(parse(renderOverlayKustomization({}, overlayImages.slice(0, 1))).images[0].digest, undefined, "no digest field unless asked");
    });

    it("keeps the user's other fields and comments when the images are set again", () => {
        const source = "# owned by the platform team\nresources:\n  - ../../base # the base\nnamePrefix: prod-\nimages:\n  - name: old\n    newTag: 0.1.0\n";
        const updated = updateOverlayKustomization(source, [{ ...overlayImages[0], newTag: "1.1.0" }]);
        assert.match(updated, /^# owned by the platform team/);
        assert.match(updated, /- \.\.\/\.\.\/base # the base/);
        assert.match(updated, /newTag: 1\.1\.0 # \{"\$imagepolicy": "flux-system:task-service:tag"\}/);
        assert.doesNotMatch(updated, /name: old/);
        assert.throws(() => updateOverlayKustomization("- a\n", []), /not a YAML mapping/);
    });
});

describe("seed app files", () => {
    const files = seedAppFiles({ apps: seedApps });

    it("lays out the tutorial's base and prod overlay", () => {
        assert.deepEqual(Object.keys(files).sort(), [
            "app/base/ingress.yaml",
            "app/base/kustomization.yaml",
            "app/base/task-reporter.yaml",
            "app/base/task-service.yaml",
            "app/base/task-web.yaml",
            "app/overlays/prod/kustomization.yaml",
        ]);
        const overlay = parse(files["app/overlays/prod/kustomization.yaml"]);
        assert.deepEqual(overlay.resources, ["../../base"]);
        assert.equal(overlay.namePrefix, "prod-");
        assert.deepEqual(overlay.replicas, [{ name: "task-service", count: 3 }]);
        assert.deepEqual(overlay.images.map((i: { name: string; newTag: string }) => `${i.name}:${i.newTag}`), ["task-service:1.0.0", "task-reporter:1.0.0", "task-web:1.0.0"]);
        const base = parse(files["app/base/kustomization.yaml"]);
        assert.deepEqual(base.resources, ["task-service.yaml", "task-reporter.yaml", "task-web.yaml", "ingress.yaml"]);
    });

    it("writes objects that validate against the Kubernetes schema, using the plain image names the overlay rewrites", () => {
        const kinds: string[] = [];
        for (const [file, content] of Object.entries(files).filter(([f]) => !f.endsWith("kustomization.yaml"))) {
            for (const document of parseAllDocuments(content)) {
                const object = document.toJS();
                const Model = MODELS[object.kind];
                assert.ok(Model, `no model for ${object.kind} in ${file}`);
                new Model(object).validate();
                kinds.push(`${object.kind}/${object.metadata.name}`);
                const containers = object.spec?.template?.spec?.containers ?? object.spec?.jobTemplate?.spec?.template?.spec?.containers ?? [];
                for (const container of containers) {
                    assert.ok(seedApps.some((app) => app.name === container.image), `${container.image} is an overlay image name`);
                }
            }
        }
        assert.deepEqual(kinds.sort(), ["CronJob/task-reporter", "Deployment/task-service", "Deployment/task-web", "Ingress/app-ingress", "Service/task-service", "Service/task-web"]);
    });

    it("gives an unknown app a Deployment and Service", () => {
        const generic = seedAppFiles({ apps: [{ name: "billing", image: `${ECR}/billing`, tag: "2.0.0" }] });
        const [deployment, service] = parseAllDocuments(generic["app/base/billing.yaml"]).map((d) => d.toJS());
        assert.equal(deployment.kind, "Deployment");
        assert.equal(service.spec.ports[0].targetPort, "http");
        assert.equal(generic["app/base/ingress.yaml"], undefined);
    });
});

describe("known_hosts and deploy key types", () => {
    it("writes one line per published key, bracketing non-default ports", () => {
        assert.deepEqual(knownHostsLines("github.com", ["ssh-ed25519 AAAA1", "ssh-rsa AAAA2"]), ["github.com ssh-ed25519 AAAA1", "github.com ssh-rsa AAAA2"]);
        assert.equal(knownHosts("127.0.0.1", ["ssh-ed25519 AAAA1"], 2222), "[127.0.0.1]:2222 ssh-ed25519 AAAA1\n");
        assert.throws(() => knownHostsLines("github.com", ["garbage"]), /not a published SSH host key/);
    });

    it("maps the key types Flux accepts to @pulumi/tls and refuses weak ones", () => {
        assert.deepEqual(tlsKeyArgs({ algorithm: "ed25519" }), { algorithm: "ED25519" });
        assert.deepEqual(tlsKeyArgs({ algorithm: "ecdsa", curve: "P384" }), { algorithm: "ECDSA", ecdsaCurve: "P384" });
        assert.deepEqual(tlsKeyArgs({ algorithm: "rsa" }), { algorithm: "RSA", rsaBits: 4096 });
        assert.deepEqual(checkDeployKeyType("keyType", { algorithm: "ecdsa", curve: "P224" as never }), [{ field: "keyType.curve", value: "P224", rule: "must be P256, P384 or P521" }]);
        assert.equal(checkDeployKeyType("keyType", { algorithm: "rsa", bits: 3072 }).length, 0);
    });

    it("generates keys OpenSSH itself accepts", function () {
        const keygen = ["/usr/bin/ssh-keygen", "/usr/local/bin/ssh-keygen"].find((p) => fs.existsSync(p));
        if (!keygen) {
            this.skip();
        }
        const dir = fs.mkdtempSync(path.join(os.tmpdir(), "keys-"));
        for (const [algorithm, options] of [["ED25519", {}], ["ECDSA", { ecdsaCurve: "P384" }]] as const) {
            const pair = generateOpenSshKeyPair(algorithm, options);
            const file = path.join(dir, algorithm);
            fs.writeFileSync(file, pair.privateKeyOpenssh, { mode: 0o600 });
            const derived = execFileSync(keygen!, ["-y", "-f", file], { encoding: "utf8" }).trim();
            assert.equal(derived, pair.publicKeyOpenssh.trim());
            fs.writeFileSync(`${file}.pub`, pair.publicKeyOpenssh);
            assert.match(execFileSync(keygen!, ["-l", "-f", `${file}.pub`], { encoding: "utf8" }), new RegExp(pair.publicKeyFingerprintSha256.replace(/[+/]/g, "\\$&")));
        }
        fs.rmSync(dir, { recursive: true });
    });
});
