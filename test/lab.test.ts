import { strict as assert } from "node:assert";
import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import { fileURLToPath } from "node:url";
import { fluxInstallOptions } from "../components/flux/install.js";
import { buildFluxInstall } from "../components/flux/install-manifests.js";
import { DEFAULT_FLUX_VERSION, FLUX_RELEASES } from "../components/flux/release.js";
import { imageTag } from "../lab/app-state.js";
import { LAB_CONTROLLERS, processArgs } from "../lab/flux-controllers.js";

const labFile = (file: string) => new URL(`../lab/${file}`, import.meta.url);

/** `module version` requirements of a go.mod, direct ones and indirect ones alike. */
function requirements(goMod: string): Map<string, string> {
    return new Map([...goMod.matchAll(/^\s*(?:require\s+)?([\w.\-/]+) (v\S+)/gm)].map((m) => [m[1], m[2]]));
}

describe("local GitOps lab", () => {
    const install = buildFluxInstall(fluxInstallOptions({ imageAutomation: true }));
    const deployment = (name: string) => install.objects.find((o) => o.kind === "Deployment" && o.metadata.name === name)!;

    it("runs the controllers with the library's flags, replacing only addresses and paths", () => {
        const args = processArgs(deployment("kustomize-controller"), { "events-addr": "http://127.0.0.1:9999/", "enable-leader-election": "false" });
        assert.ok(args.includes("--no-remote-bases=true"));
        assert.ok(args.includes("--watch-all-namespaces"));
        assert.deepEqual(
            args.filter((a) => a.startsWith("--events-addr")),
            ["--events-addr=http://127.0.0.1:9999/"],
        );
        assert.deepEqual(
            args.filter((a) => a.startsWith("--enable-leader-election")),
            ["--enable-leader-election=false"],
        );
        const source = processArgs(deployment("source-controller"), { "storage-adv-addr": "127.0.0.1:1234" });
        assert.deepEqual(
            source.filter((a) => a.startsWith("--storage-adv-addr")),
            ["--storage-adv-addr=127.0.0.1:1234"],
        );
    });

    it("builds each controller at the version the library installs", () => {
        const release = FLUX_RELEASES[DEFAULT_FLUX_VERSION];
        for (const controller of LAB_CONTROLLERS) {
            const goMod = fs.readFileSync(labFile(`modules/${controller}/go.mod`), "utf8");
            const pinned = requirements(goMod);
            assert.equal(pinned.get(`github.com/fluxcd/${controller}`), release.controllers[controller], `lab/modules/${controller}/go.mod: run bash lab/build.sh pin flux`);
            assert.equal(pinned.get(`github.com/fluxcd/${controller}/api`), release.controllers[controller], controller);
            assert.match(goMod, new RegExp(`^tool github.com/fluxcd/${controller}$`, "m"));
            assert.ok(fs.readFileSync(labFile(`modules/${controller}/go.sum`), "utf8").includes(`github.com/fluxcd/${controller} ${release.controllers[controller]} h1:`));
        }
    });

    const versions = Object.fromEntries([...fs.readFileSync(labFile("versions.env"), "utf8").matchAll(/^([A-Z_]+)=(\S+)$/gm)].map((m) => [m[1], m[2]]));
    const pinned = (program: string) => requirements(fs.readFileSync(labFile(`modules/${program}/go.mod`), "utf8"));

    it("builds etcd, Kubernetes and KWOK at the versions of lab/versions.env", () => {
        assert.equal(pinned("etcd").get("go.etcd.io/etcd/server/v3"), versions.ETCD_VERSION);
        for (const component of ["kube-apiserver", "kube-controller-manager", "kube-scheduler"]) {
            assert.equal(pinned(component).get("k8s.io/kubernetes"), versions.KUBERNETES_VERSION, component);
            // The staging modules at the matching v0.x, not whatever their dependents ask for.
            assert.equal(pinned(component).get("k8s.io/apiserver"), `v0.${versions.KUBERNETES_VERSION.slice("v1.".length)}`, component);
        }
        assert.equal(pinned("kwok").get("sigs.k8s.io/kwok"), versions.KWOK_VERSION);
    });

    it("builds the Pulumi CLI and the kubernetes provider at the versions of lab/versions.env", () => {
        const cli = pinned("pulumi");
        assert.equal(cli.get("github.com/pulumi/pulumi/pkg/v3"), versions.PULUMI_VERSION);
        // The CLI's module uses the sdk of its own commit: the sdk of the same release.
        assert.equal(cli.get("github.com/pulumi/pulumi/sdk/v3"), versions.PULUMI_VERSION);
        assert.match(fs.readFileSync(labFile("modules/pulumi/go.mod"), "utf8"), /^tool github.com\/pulumi\/pulumi\/pkg\/v3\/cmd\/pulumi$/m);

        const provider = pinned("pulumi-resource-kubernetes");
        assert.equal(provider.get("github.com/pulumi/pulumi-kubernetes/provider/v4"), versions.PULUMI_KUBERNETES_MODULE_VERSION);
        assert.equal(provider.get("github.com/pulumi/pulumi-kubernetes/sdk/v4"), `v${versions.PULUMI_KUBERNETES_VERSION}`);
        assert.match(fs.readFileSync(labFile("modules/pulumi-resource-kubernetes/go.mod"), "utf8"), /^tool github.com\/pulumi\/pulumi-kubernetes\/provider\/v4\/cmd\/pulumi-resource-kubernetes$/m);
        assert.ok(
            fs.readFileSync(labFile("modules/pulumi-resource-kubernetes/go.sum"), "utf8").includes(`github.com/pulumi/pulumi-kubernetes/provider/v4 ${versions.PULUMI_KUBERNETES_MODULE_VERSION} h1:`),
        );
    });

    it("pins @pulumi/kubernetes to the release of the provider the lab builds, so the SDK asks for the plugin that runs", () => {
        const manifest = JSON.parse(fs.readFileSync(new URL("../package.json", import.meta.url), "utf8"));
        assert.equal(manifest.dependencies["@pulumi/kubernetes"], versions.PULUMI_KUBERNETES_VERSION);
    });
});

describe("lab image references", () => {
    it("reads the tag past a registry port and before a digest", () => {
        assert.equal(imageTag("127.0.0.1:5000/mamezou-tech/billing-api:1.0.1"), "1.0.1");
        assert.equal(imageTag(`127.0.0.1:5000/mamezou-tech/billing-api:1.0.1@sha256:${"a".repeat(64)}`), "1.0.1");
        assert.equal(imageTag("127.0.0.1:5000/mamezou-tech/billing-api"), undefined);
        assert.equal(imageTag("billing-api"), undefined);
    });
});

describe("lab latency proxy", () => {
    it("adds the round-trip time to each exchange and keeps the bytes in order", async function () {
        this.timeout(20_000);
        const echo = net.createServer((socket) => socket.pipe(socket)).listen(0, "127.0.0.1");
        await new Promise((resolve) => echo.once("listening", resolve));
        const target = (echo.address() as net.AddressInfo).port;
        const probe = net.createServer().listen(0, "127.0.0.1");
        await new Promise((resolve) => probe.once("listening", resolve));
        const listen = (probe.address() as net.AddressInfo).port;
        await new Promise((resolve) => probe.close(resolve));
        const proxy = spawn(process.execPath, [fileURLToPath(labFile("latency-proxy.ts")), String(listen), String(target), "200"], { stdio: ["ignore", "pipe", "inherit"] });
        try {
            await new Promise((resolve) => proxy.stdout!.once("data", resolve));
            const client = net.connect(listen, "127.0.0.1");
            await new Promise((resolve) => client.once("connect", resolve));
            const exchange = async (message: string) => {
                const started = Date.now();
                let received = "";
                client.write(message);
                while (received.length < message.length) {
                    received += await new Promise<string>((resolve) => client.once("data", (chunk) => resolve(chunk.toString())));
                }
                return { received, ms: Date.now() - started };
            };
            for (const message of ["first", "second, longer than the first", "third"]) {
                const { received, ms } = await exchange(message);
                assert.equal(received, message);
                assert.ok(ms >= 195 && ms < 600, `one exchange took ${ms} ms through a 200 ms round trip`);
            }
            client.destroy();
        } finally {
            proxy.kill();
            echo.close();
        }
    });
});
