/**
 * `npm run e2e`: the tutorial's GitOps loop run by the real Flux controllers on loopback.
 * etcd + kube-apiserver, sshd serving a bare Git repository, docker-registry, and source-,
 * kustomize-, image-reflector- and image-automation-controller as local processes. The Flux objects
 * come from GitOpsPlatform's public options, evaluated under Pulumi's mocks; the repository content
 * from the same seed generator the stack commits. Every process is stopped at the end, also on failure.
 */
import { execFileSync } from "node:child_process";
import * as crypto from "node:crypto";
import * as fs from "node:fs";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { parseAllDocuments } from "yaml";
import { GitOpsPlatform } from "../components/gitops-platform.js";
import { seedAppFiles } from "../components/github/seed-app-files.js";
import { updateOverlayKustomization } from "../components/github/setter-markers.js";
import { DEFAULT_FLUX_VERSION, FLUX_RELEASES } from "../components/flux/release.js";
import { isKubernetesObject } from "../stack/plan-report.js";
import { MockCloud, settled, useMockCloud } from "../testing/mock-cloud.js";
import { KubeClient, readyCondition, type KubeObject } from "./kube.js";
import { freePort, ProcessGroup, sleep, waitFor } from "./processes.js";
import { pushTag } from "./registry.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const versions = Object.fromEntries(
    fs
        .readFileSync(path.join(projectDir, "lab/versions.env"), "utf8")
        .split("\n")
        .filter((line) => /^[A-Z_]+=/.test(line))
        .map((line) => line.split("=") as [string, string]),
);
const release = FLUX_RELEASES[DEFAULT_FLUX_VERSION];
const bin = (name: string, version: string) => path.join(projectDir, ".cache/lab/bin", `${name}-${version}`);
const runDir = path.join(projectDir, ".cache/lab", `run-${new Date().toISOString().replace(/[:.]/g, "-")}`);
const group = new ProcessGroup(path.join(runDir, "logs"));
const APPS = ["task-service", "task-reporter", "task-web"];
const OWNER = "mamezou-tech";
const FLUX_NAMESPACE = "flux-system";

function git(cwd: string, ...args: string[]): string {
    return execFileSync("git", args, { cwd, encoding: "utf8", env: { ...process.env, GIT_AUTHOR_NAME: "lab", GIT_AUTHOR_EMAIL: "lab@example.com", GIT_COMMITTER_NAME: "lab", GIT_COMMITTER_EMAIL: "lab@example.com" } }).trim();
}

interface Timings {
    [step: string]: number;
}

async function startCluster() {
    const etcdClient = await freePort();
    const etcdPeer = await freePort();
    group.start(
        "etcd",
        bin("etcd", versions.ETCD_VERSION),
        [
            "--name=lab",
            `--data-dir=${runDir}/etcd`,
            `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=lab=http://127.0.0.1:${etcdPeer}`,
            "--listen-metrics-urls=",
        ],
        { ports: [etcdClient, etcdPeer] },
    );
    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    fs.writeFileSync(`${runDir}/sa.key`, privateKey.export({ type: "pkcs8", format: "pem" }));
    fs.writeFileSync(`${runDir}/sa.pub`, publicKey.export({ type: "spki", format: "pem" }));
    const token = crypto.randomBytes(24).toString("hex");
    fs.writeFileSync(`${runDir}/tokens.csv`, `${token},lab-admin,lab-admin,system:masters\n`);
    const apiPort = await freePort();
    group.start(
        "kube-apiserver",
        bin("kube-apiserver", versions.KUBERNETES_VERSION),
        [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            `--cert-dir=${runDir}/apiserver`,
            `--token-auth-file=${runDir}/tokens.csv`,
            "--authorization-mode=AlwaysAllow",
            `--service-account-key-file=${runDir}/sa.pub`,
            `--service-account-signing-key-file=${runDir}/sa.key`,
            "--service-account-issuer=https://kubernetes.default.svc",
            "--service-cluster-ip-range=10.96.0.0/24",
            "--disable-admission-plugins=ServiceAccount",
            "--enable-priority-and-fairness=false",
        ],
        { ports: [apiPort] },
    );
    const caFile = `${runDir}/apiserver/apiserver.crt`;
    await waitFor("kube-apiserver's serving certificate", 120_000, async () => (fs.existsSync(caFile) ? true : undefined), undefined, group);
    const kube = new KubeClient(`https://127.0.0.1:${apiPort}`, token, fs.readFileSync(caFile, "utf8"));
    await waitFor("kube-apiserver /readyz", 120_000, async () => ((await kube.request("GET", "/readyz")).status === 200 ? true : undefined), undefined, group);
    const kubeconfig = `${runDir}/kubeconfig`;
    fs.writeFileSync(
        kubeconfig,
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "lab", cluster: { server: `https://127.0.0.1:${apiPort}`, "certificate-authority": caFile } }],
            users: [{ name: "lab", user: { token } }],
            contexts: [{ name: "lab", context: { cluster: "lab", user: "lab" } }],
            "current-context": "lab",
        }),
    );
    return { kube, kubeconfig };
}

async function installCrds(kube: KubeClient) {
    const controllers = ["source-controller", "kustomize-controller", "image-reflector-controller", "image-automation-controller"];
    const crds = controllers.flatMap((controller) =>
        parseAllDocuments(fs.readFileSync(path.join(projectDir, "components/flux/vendor", DEFAULT_FLUX_VERSION, controller, "crds.yaml"), "utf8")).map((d) => d.toJS() as KubeObject),
    );
    for (const crd of crds) {
        await kube.apply(crd);
    }
    for (const crd of crds) {
        await waitFor(`CRD ${crd.metadata.name} Established`, 60_000, async () => {
            const current = await kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd.metadata.name);
            return current?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Established" && c.status === "True") ? true : undefined;
        });
    }
}

async function startGitServer() {
    const port = await freePort();
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "lab-host", "-f", `${runDir}/ssh_host_ed25519_key`]);
    execFileSync("ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-C", "flux-lab", "-f", `${runDir}/flux_key`]);
    fs.copyFileSync(`${runDir}/flux_key.pub`, `${runDir}/authorized_keys`);
    const user = execFileSync("id", ["-un"], { encoding: "utf8" }).trim();
    fs.writeFileSync(
        `${runDir}/sshd_config`,
        [
            `Port ${port}`,
            "ListenAddress 127.0.0.1",
            `HostKey ${runDir}/ssh_host_ed25519_key`,
            `AuthorizedKeysFile ${runDir}/authorized_keys`,
            `PidFile ${runDir}/sshd.pid`,
            `AllowUsers ${user}`,
            "PermitRootLogin prohibit-password",
            "PasswordAuthentication no",
            "KbdInteractiveAuthentication no",
            "UsePAM no",
            "StrictModes no",
            "",
        ].join("\n"),
    );
    fs.mkdirSync("/run/sshd", { recursive: true });
    group.start("sshd", "/usr/sbin/sshd", ["-D", "-e", "-f", `${runDir}/sshd_config`], { ports: [port] });
    const bare = `${runDir}/git/${OWNER}/task-tool-cluster-config.git`;
    fs.mkdirSync(bare, { recursive: true });
    git(bare, "init", "--quiet", "--bare", "--initial-branch=main");
    const hostKey = fs.readFileSync(`${runDir}/ssh_host_ed25519_key.pub`, "utf8").trim().split(/\s+/).slice(0, 2).join(" ");
    await waitFor("sshd listening", 30_000, async () => ((await import("./processes.js")).isListening(port).then((up) => (up ? true : undefined))), undefined, group);
    return {
        url: `ssh://${user}@127.0.0.1:${port}${bare}`,
        bare,
        privateKey: fs.readFileSync(`${runDir}/flux_key`, "utf8"),
        publicKey: fs.readFileSync(`${runDir}/flux_key.pub`, "utf8"),
        knownHosts: `[127.0.0.1]:${port} ${hostKey}\n`,
    };
}

async function startRegistry() {
    const port = await freePort();
    fs.writeFileSync(
        `${runDir}/registry.yml`,
        `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${runDir}/registry\n  delete:\n    enabled: true\nhttp:\n  addr: 127.0.0.1:${port}\n`,
    );
    group.start("docker-registry", "docker-registry", ["serve", `${runDir}/registry.yml`], { ports: [port] });
    await waitFor("docker-registry /v2/", 30_000, async () => ((await fetch(`http://127.0.0.1:${port}/v2/`).catch(() => undefined))?.status === 200 ? true : undefined), undefined, group);
    return `127.0.0.1:${port}`;
}

/** The Flux objects GitOpsPlatform makes for the lab's options, with their secret values. */
async function labObjects(git: Awaited<ReturnType<typeof startGitServer>>, registry: string, intervals: { source: string; sync: string; scan: string; update: string }) {
    const cloud = await useMockCloud(new MockCloud());
    const provider = new k8s.Provider("lab", { kubeconfig: "{}" });
    new GitOpsPlatform("lab", {
        apps: APPS.map((app) => ({ name: app, image: `${registry}/${OWNER}/${app}`, initialTag: "1.0.0", ...(app === "task-service" ? { semverRange: "1.1.x" } : {}) })),
        cluster: { existing: { provider } },
        git: { server: { sshUrl: git.url, privateKey: pulumi.secret(git.privateKey), publicKey: git.publicKey, knownHosts: git.knownHosts } },
        flux: { existing: true },
        sync: { path: "./app/overlays/prod", targetNamespace: "prod", interval: intervals.sync, sourceInterval: intervals.source },
        imageAutomation: { scanInterval: intervals.scan, interval: intervals.update, insecureRegistry: true },
    });
    await settled(cloud);
    const order = ["Namespace", "Secret", "GitRepository", "Kustomization", "ImageRepository", "ImagePolicy", "ImageUpdateAutomation"];
    return cloud.resources
        .filter(isKubernetesObject)
        .map((r) => r.inputs as KubeObject)
        .sort((a, b) => order.indexOf(a.kind) - order.indexOf(b.kind));
}

function seedRepository(bare: string, registry: string) {
    const work = `${runDir}/work`;
    execFileSync("git", ["clone", "--quiet", bare, work], { stdio: ["ignore", "pipe", "pipe"] });
    const files = seedAppFiles({
        apps: APPS.map((app) => ({ name: app, image: `${registry}/${OWNER}/${app}`, tag: "1.0.0", ...(app === "task-service" ? { policy: { namespace: FLUX_NAMESPACE, name: app } } : {}) })),
    });
    for (const [file, content] of Object.entries(files)) {
        fs.mkdirSync(path.dirname(path.join(work, file)), { recursive: true });
        fs.writeFileSync(path.join(work, file), content);
    }
    git(work, "checkout", "--quiet", "-b", "main");
    git(work, "add", ".");
    git(work, "commit", "--quiet", "-m", "Seed the task tool");
    git(work, "push", "--quiet", "origin", "main");
    return work;
}

function startFlux(kubeconfig: string) {
    const common = ["--log-level=info", "--log-encoding=json", "--enable-leader-election=false", "--watch-all-namespaces=true", `--kubeconfig=${kubeconfig}`];
    const env = { RUNTIME_NAMESPACE: FLUX_NAMESPACE, HOME: runDir, KUBECONFIG: kubeconfig };
    return (async () => {
        const storage = await freePort();
        const ports = async () => {
            const [metrics, health] = [await freePort(), await freePort()];
            return { args: [`--metrics-addr=127.0.0.1:${metrics}`, `--health-addr=127.0.0.1:${health}`], ports: [metrics, health] };
        };
        const source = await ports();
        group.start(
            "source-controller",
            bin("source-controller", release.controllers["source-controller"]),
            [...common, ...source.args, `--storage-path=${runDir}/source-storage`, `--storage-addr=127.0.0.1:${storage}`, `--storage-adv-addr=127.0.0.1:${storage}`],
            { env, ports: [...source.ports, storage] },
        );
        const kustomize = await ports();
        group.start("kustomize-controller", bin("kustomize-controller", release.controllers["kustomize-controller"]), [...common, ...kustomize.args, "--no-remote-bases=true"], { env, ports: kustomize.ports });
        const reflector = await ports();
        group.start("image-reflector-controller", bin("image-reflector-controller", release.controllers["image-reflector-controller"]), [...common, ...reflector.args, `--storage-path=${runDir}/reflector-db`], {
            env,
            ports: reflector.ports,
        });
        const automation = await ports();
        group.start("image-automation-controller", bin("image-automation-controller", release.controllers["image-automation-controller"]), [...common, ...automation.args], { env, ports: automation.ports });
    })();
}

async function deploymentTag(kube: KubeClient, name: string): Promise<string | undefined> {
    const deployment = await kube.get("apps/v1", "Deployment", name, "prod");
    const image: string | undefined = deployment?.spec?.template?.spec?.containers?.[0]?.image;
    return image?.split(":").pop();
}

async function waitForTag(kube: KubeClient, name: string, tag: string, timeoutMs: number) {
    await waitFor(`Deployment ${name} in prod with tag ${tag}`, timeoutMs, async () => ((await deploymentTag(kube, name)) === tag ? true : undefined), async () => `tag ${await deploymentTag(kube, name)}`, group);
}

async function main(): Promise<void> {
    fs.mkdirSync(runDir, { recursive: true });
    const timings: Timings = {};
    const started = Date.now();
    try {
        const { kube, kubeconfig } = await startCluster();
        await installCrds(kube);
        // What FluxInstall would create; the lab runs the controllers as processes instead.
        await kube.apply({ apiVersion: "v1", kind: "Namespace", metadata: { name: FLUX_NAMESPACE } });
        const gitServer = await startGitServer();
        const registry = await startRegistry();
        for (const app of APPS) {
            await pushTag(registry, `${OWNER}/${app}`, "1.0.0");
        }
        await pushTag(registry, `${OWNER}/task-service`, "1.1.0");
        const work = seedRepository(gitServer.bare, registry);
        const seeded = git(gitServer.bare, "rev-parse", "main");
        await startFlux(kubeconfig);

        // As in the tutorial: sync first, image automation once the manual update has been shown.
        const seedIntervals = { source: "30s", sync: "5m", scan: "1m", update: "1m" };
        const objects = await labObjects(gitServer, registry, seedIntervals);
        const isImageObject = (object: KubeObject) => object.kind.startsWith("Image");
        for (const object of objects.filter((o) => !isImageObject(o))) {
            await kube.apply(object);
        }
        timings.setupSeconds = Math.round((Date.now() - started) / 1000);

        const repository = await waitFor(
            "GitRepository task-tool Ready at the seeded commit",
            120_000,
            async () => {
                const object = await kube.get("source.toolkit.fluxcd.io/v1", "GitRepository", "task-tool", FLUX_NAMESPACE);
                return readyCondition(object)?.status === "True" && object.status.artifact?.revision === `main@sha1:${seeded}` ? object : undefined;
            },
            async () => JSON.stringify(readyCondition(await kube.get("source.toolkit.fluxcd.io/v1", "GitRepository", "task-tool", FLUX_NAMESPACE))),
            group,
        );
        console.log(`GitRepository Ready: ${repository.status.artifact.revision}`);
        await waitFor(
            "Kustomization task-tool Ready",
            180_000,
            async () => (readyCondition(await kube.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "task-tool", FLUX_NAMESPACE))?.status === "True" ? true : undefined),
            async () => JSON.stringify(readyCondition(await kube.get("kustomize.toolkit.fluxcd.io/v1", "Kustomization", "task-tool", FLUX_NAMESPACE))),
            group,
        );
        await waitForTag(kube, "prod-task-service", "1.0.0", 60_000);
        console.log("Kustomization Ready; prod-task-service runs 1.0.0");

        const tags: Record<string, string> = { "task-service": "1.0.0", "task-reporter": "1.0.0", "task-web": "1.0.0" };
        const bump = (app: string, tag: string) => {
            git(work, "pull", "--quiet", "--rebase", "origin", "main");
            const overlay = path.join(work, "app/overlays/prod/kustomization.yaml");
            // Only the app's own tag changes; Flux's markers stay on their lines.
            const current = fs.readFileSync(overlay, "utf8");
            tags["task-service"] = /newTag: (\S+) # \{"\$imagepolicy"/.exec(current)?.[1] ?? tags["task-service"];
            tags[app] = tag;
            fs.writeFileSync(
                overlay,
                updateOverlayKustomization(
                    current,
                    APPS.map((name) => ({
                        name,
                        newName: `${registry}/${OWNER}/${name}`,
                        newTag: tags[name],
                        ...(name === "task-service" ? { policy: { namespace: FLUX_NAMESPACE, name } } : {}),
                    })),
                ),
            );
            git(work, "commit", "--quiet", "-am", `Bumped ${app} to ${tag}`);
            git(work, "push", "--quiet", "origin", "main");
            return Date.now();
        };
        const measureCommit = async (app: string, tag: string, timeoutMs: number) => {
            const committed = bump(app, tag);
            await waitForTag(kube, `prod-${app}`, tag, timeoutMs);
            return (Date.now() - committed) / 1000;
        };
        const measureTagPush = async (tag: string, timeoutMs: number) => {
            const before = git(gitServer.bare, "rev-parse", "main");
            const pushed = Date.now();
            await pushTag(registry, `${OWNER}/task-service`, tag);
            await waitFor(`ImagePolicy task-service choosing ${tag}`, timeoutMs, async () => {
                const policy = await kube.get("image.toolkit.fluxcd.io/v1", "ImagePolicy", "task-service", FLUX_NAMESPACE);
                return policy?.status?.latestRef?.tag === tag ? true : undefined;
            }, undefined, group);
            const commit = await waitFor(`a commit by fluxcdbot on main after ${before.slice(0, 7)}`, timeoutMs, async () => {
                const head = git(gitServer.bare, "rev-parse", "main");
                return head !== before ? git(gitServer.bare, "log", "-1", "--format=%an <%ae>%n%B", "main") : undefined;
            }, undefined, group);
            if (!commit.startsWith("fluxcdbot <fluxcdbot@users.noreply.github.com>") || !commit.includes("Update images by Flux image automation") || !commit.includes(`-> ${registry}/${OWNER}/task-service:${tag}`) && !commit.includes(`-> ${tag}`)) {
                throw new Error(`unexpected automation commit:\n${commit}`);
            }
            await waitForTag(kube, "prod-task-service", tag, timeoutMs);
            return { seconds: (Date.now() - pushed) / 1000, commit };
        };

        timings.commitToAppliedSeed = await measureCommit("task-service", "1.1.0", 180_000);
        console.log(`commit newTag 1.1.0 -> applied in ${timings.commitToAppliedSeed.toFixed(1)} s (seed intervals)`);
        for (const object of objects.filter(isImageObject)) {
            await kube.apply(object);
        }
        const update = await measureTagPush("1.1.1", 420_000);
        timings.tagPushToAppliedSeed = update.seconds;
        console.log(`push 1.1.1 -> fluxcdbot commit -> applied in ${update.seconds.toFixed(1)} s (seed intervals); commit:\n${update.commit.replace(/^/gm, "    ")}`);

        const headBefore = git(gitServer.bare, "rev-parse", "main");
        const scannedBefore = (await kube.get("image.toolkit.fluxcd.io/v1", "ImageRepository", "task-service", FLUX_NAMESPACE))?.status?.lastScanResult?.tagCount ?? 0;
        await pushTag(registry, `${OWNER}/task-service`, "1.2.0");
        await pushTag(registry, `${OWNER}/task-service`, "2.0.0");
        await waitFor("ImageRepository task-service to see 1.2.0 and 2.0.0", 180_000, async () => {
            const count = (await kube.get("image.toolkit.fluxcd.io/v1", "ImageRepository", "task-service", FLUX_NAMESPACE))?.status?.lastScanResult?.tagCount ?? 0;
            return count >= scannedBefore + 2 ? true : undefined;
        }, undefined, group);
        await sleep(70_000); // one more automation interval, to give a wrong update the chance to happen
        const policy = await kube.get("image.toolkit.fluxcd.io/v1", "ImagePolicy", "task-service", FLUX_NAMESPACE);
        if (policy.status.latestRef.tag !== "1.1.1" || git(gitServer.bare, "rev-parse", "main") !== headBefore || (await deploymentTag(kube, "prod-task-service")) !== "1.1.1") {
            throw new Error(`1.2.0/2.0.0 changed something: policy ${policy.status.latestRef.tag}, deployment ${await deploymentTag(kube, "prod-task-service")}`);
        }
        console.log("pushed 1.2.0 and 2.0.0 -> nothing changed (policy 1.1.x keeps 1.1.1)");

        const fastIntervals = { source: "5s", sync: "5m", scan: "5s", update: "5s" };
        for (const object of await labObjects(gitServer, registry, fastIntervals)) {
            await kube.apply(object);
        }
        await sleep(6_000);
        timings.commitToAppliedFast = await measureCommit("task-web", "1.0.1", 60_000);
        const fast = await measureTagPush("1.1.2", 120_000);
        timings.tagPushToAppliedFast = fast.seconds;
        console.log(`with 5s intervals: commit -> applied ${timings.commitToAppliedFast.toFixed(1)} s, tag push -> applied ${fast.seconds.toFixed(1)} s`);
        timings.totalSeconds = Math.round((Date.now() - started) / 1000);
        console.log(`lab: ${JSON.stringify(timings)}`);
    } finally {
        await group.stopAll();
    }
}

main().then(
    () => {
        console.log("e2e: 1 passed, 0 failed");
        process.exit(0);
    },
    (error) => {
        console.error(`e2e failed: ${error instanceof Error ? error.message : String(error)}\nlogs: ${path.relative(projectDir, runDir)}/logs`);
        console.log("e2e: 0 passed, 1 failed");
        process.exit(1);
    },
);
