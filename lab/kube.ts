import * as https from "node:https";

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [field: string]: unknown;
}

interface ApiResource {
    name: string;
    kind: string;
    namespaced: boolean;
}

/**
 * A minimal client of the lab's kube-apiserver: server-side apply and reads, over TLS with a token.
 * Resource names come from the server's discovery, so it applies any kind the server serves,
 * including the CRDs the lab installs.
 */
export class KubeClient {
    private readonly resources = new Map<string, ApiResource[]>();

    constructor(
        private readonly server: string,
        private readonly token: string,
        private readonly ca: string,
    ) {}

    request(method: string, path: string, body?: unknown, contentType = "application/json"): Promise<{ status: number; body: any }> {
        const url = new URL(path, this.server);
        const payload = body === undefined ? undefined : Buffer.from(JSON.stringify(body));
        return new Promise((resolve, reject) => {
            const req = https.request(
                url,
                {
                    method,
                    ca: this.ca,
                    headers: {
                        Authorization: `Bearer ${this.token}`,
                        Accept: "application/json",
                        ...(payload ? { "Content-Type": contentType, "Content-Length": payload.length } : {}),
                    },
                    timeout: 15_000,
                },
                (res) => {
                    const chunks: Buffer[] = [];
                    res.on("data", (chunk) => chunks.push(chunk));
                    res.on("end", () => {
                        const text = Buffer.concat(chunks).toString("utf8");
                        let parsed: unknown = text;
                        try {
                            parsed = JSON.parse(text);
                        } catch {
                            // not JSON
                        }
                        resolve({ status: res.statusCode ?? 0, body: parsed });
                    });
                },
            );
            req.on("timeout", () => req.destroy(new Error(`${method} ${path} timed out`)));
            req.on("error", reject);
            req.end(payload);
        });
    }

    private static groupVersionPath(apiVersion: string): string {
        return apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    }

    private async resource(apiVersion: string, kind: string): Promise<ApiResource> {
        let served = this.resources.get(apiVersion);
        if (!served?.some((r) => r.kind === kind)) {
            const response = await this.request("GET", KubeClient.groupVersionPath(apiVersion));
            if (response.status !== 200) {
                throw new Error(`the server does not serve ${apiVersion}: ${response.status}`);
            }
            served = (response.body.resources as ApiResource[]).filter((r) => !r.name.includes("/"));
            this.resources.set(apiVersion, served);
        }
        const found = served.find((r) => r.kind === kind);
        if (!found) {
            throw new Error(`the server does not serve ${kind} in ${apiVersion}`);
        }
        return found;
    }

    /** The path of all objects of `kind` (in `namespace`, for a namespaced kind). */
    async collectionPath(apiVersion: string, kind: string, namespace?: string): Promise<string> {
        const { name: plural, namespaced } = await this.resource(apiVersion, kind);
        if (namespaced && !namespace) {
            throw new Error(`${kind} needs a namespace`);
        }
        return `${KubeClient.groupVersionPath(apiVersion)}${namespaced ? `/namespaces/${namespace}` : ""}/${plural}`;
    }

    async objectPath(apiVersion: string, kind: string, name: string, namespace?: string): Promise<string> {
        return `${await this.collectionPath(apiVersion, kind, namespace)}/${name}`;
    }

    /** Server-side apply, as `kubectl apply --server-side` does. */
    async apply(object: KubeObject): Promise<void> {
        const path = await this.objectPath(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
        const response = await this.request("PATCH", `${path}?fieldManager=eks-flux-gitops-lab&force=true`, object, "application/apply-patch+yaml");
        if (response.status >= 300) {
            throw new Error(`apply ${object.kind}/${object.metadata.name}: ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
        }
    }

    /** Objects of `kind` in `namespace`, or in every namespace without one, matching `labelSelector`. */
    async list(apiVersion: string, kind: string, namespace?: string, labelSelector: Record<string, string> = {}): Promise<any[]> {
        const { name: plural, namespaced } = await this.resource(apiVersion, kind);
        const collection = `${KubeClient.groupVersionPath(apiVersion)}${namespaced && namespace ? `/namespaces/${namespace}` : ""}/${plural}`;
        const selector = Object.entries(labelSelector).map(([key, value]) => `${key}=${value}`).join(",");
        const response = await this.request("GET", `${collection}?labelSelector=${encodeURIComponent(selector)}`);
        if (response.status >= 300) {
            throw new Error(`list ${kind} in ${namespace}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
        }
        return response.body.items;
    }

    async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<any | undefined> {
        const response = await this.request("GET", await this.objectPath(apiVersion, kind, name, namespace));
        if (response.status === 404) {
            return undefined;
        }
        if (response.status >= 300) {
            throw new Error(`get ${kind}/${name}: ${response.status} ${JSON.stringify(response.body).slice(0, 300)}`);
        }
        return response.body;
    }
}

export function readyCondition(object: any): { status: string; reason?: string; message?: string } | undefined {
    return (object?.status?.conditions ?? []).find((c: { type: string }) => c.type === "Ready");
}
