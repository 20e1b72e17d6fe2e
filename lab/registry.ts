import { createHash } from "node:crypto";
import * as fs from "node:fs";
import { freePort, waitFor, type ProcessGroup } from "./processes.js";

export interface LabRegistry {
    /** host:port */
    address: string;
    port: number;
}

/**
 * Debian's docker-registry (the CNCF distribution) on a loopback port, plain HTTP. With `notify`, it
 * sends its push events (pulls ignored) to that URL, as a registry's notification endpoint would call
 * a webhook. Started again on the same port and storage to change that, as `restart` does.
 */
export async function startRegistry(group: ProcessGroup, runDir: string, port?: number, notify?: string): Promise<LabRegistry> {
    const listen = port ?? (await freePort());
    const notifications = notify
        ? `notifications:\n  endpoints:\n    - name: flux\n      url: ${notify}\n      timeout: 2s\n      threshold: 3\n      backoff: 1s\n      ignore:\n        actions: [pull]\n`
        : "";
    fs.writeFileSync(
        `${runDir}/registry.yml`,
        `version: 0.1\nlog:\n  level: warn\nstorage:\n  filesystem:\n    rootdirectory: ${runDir}/registry\nhttp:\n  addr: 127.0.0.1:${listen}\n${notifications}`,
    );
    group.start("docker-registry", "docker-registry", ["serve", `${runDir}/registry.yml`], { ports: [listen] });
    await waitFor("docker-registry /v2/", 30_000, async () => ((await fetch(`http://127.0.0.1:${listen}/v2/`).catch(() => undefined))?.status === 200 ? true : undefined), undefined, group);
    return { address: `127.0.0.1:${listen}`, port: listen };
}

/** Starts the registry again on its port and storage, sending push events to `notify` (or to nobody). */
export async function restartRegistry(group: ProcessGroup, runDir: string, registry: LabRegistry, notify?: string): Promise<void> {
    await group.stopAndWait("docker-registry");
    await startRegistry(group, runDir, registry.port, notify);
}

const digest = (data: Buffer) => `sha256:${createHash("sha256").update(data).digest("hex")}`;

async function uploadBlob(base: string, repository: string, data: Buffer): Promise<string> {
    const blobDigest = digest(data);
    const start = await fetch(`${base}/v2/${repository}/blobs/uploads/`, { method: "POST" });
    if (start.status !== 202) {
        throw new Error(`start upload to ${repository}: ${start.status} ${await start.text()}`);
    }
    const location = new URL(start.headers.get("location")!, base);
    location.searchParams.set("digest", blobDigest);
    const put = await fetch(location, { method: "PUT", body: data, headers: { "Content-Type": "application/octet-stream" } });
    if (put.status !== 201) {
        throw new Error(`upload blob to ${repository}: ${put.status} ${await put.text()}`);
    }
    return blobDigest;
}

/**
 * Pushes a minimal image (one empty layer and a config naming the tag) under `tag`, through the
 * registry's HTTP API: enough for Flux to list and select tags.
 */
/** Pushes a small image as `repository:tag`; returns its manifest digest, as the registry reports it. */
export async function pushTag(registry: string, repository: string, tag: string): Promise<string> {
    const base = `http://${registry}`;
    const layer = Buffer.from(`layer of ${repository}:${tag}\n`);
    const config = Buffer.from(JSON.stringify({ architecture: "amd64", os: "linux", config: { Labels: { tag } }, rootfs: { type: "layers", diff_ids: [digest(layer)] } }));
    const configDigest = await uploadBlob(base, repository, config);
    const layerDigest = await uploadBlob(base, repository, layer);
    const manifest = {
        schemaVersion: 2,
        mediaType: "application/vnd.docker.distribution.manifest.v2+json",
        config: { mediaType: "application/vnd.docker.container.image.v1+json", size: config.length, digest: configDigest },
        layers: [{ mediaType: "application/vnd.docker.image.rootfs.diff.tar", size: layer.length, digest: layerDigest }],
    };
    const put = await fetch(`${base}/v2/${repository}/manifests/${tag}`, {
        method: "PUT",
        body: JSON.stringify(manifest),
        headers: { "Content-Type": manifest.mediaType },
    });
    if (put.status !== 201) {
        throw new Error(`push ${repository}:${tag}: ${put.status} ${await put.text()}`);
    }
    const reported = put.headers.get("docker-content-digest");
    if (reported !== digest(Buffer.from(JSON.stringify(manifest)))) {
        throw new Error(`push ${repository}:${tag}: the registry reports digest ${reported}, not the manifest's`);
    }
    return reported;
}
