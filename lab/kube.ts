import * as https from "node:https";

export interface KubeObject {
    apiVersion: string;
    kind: string;
    metadata: { name: string; namespace?: string; [key: string]: unknown };
    [field: string]: unknown;
}

/** Plural resource names of the kinds the lab applies or reads. */
const PLURALS: Record<string, string> = {
    Namespace: "namespaces",
    Secret: "secrets",
    Deployment: "deployments",
    CustomResourceDefinition: "customresourcedefinitions",
    GitRepository: "gitrepositories",
    Kustomization: "kustomizations",
    ImageRepository: "imagerepositories",
    ImagePolicy: "imagepolicies",
    ImageUpdateAutomation: "imageupdateautomations",
    Receiver: "receivers",
};

export function objectPath(apiVersion: string, kind: string, name: string, namespace?: string): string {
    const plural = PLURALS[kind];
    if (!plural) {
        throw new Error(`the lab does not know the resource of ${kind}`);
    }
    const prefix = apiVersion.includes("/") ? `/apis/${apiVersion}` : `/api/${apiVersion}`;
    return `${prefix}${namespace ? `/namespaces/${namespace}` : ""}/${plural}/${name}`;
}

/** A minimal client of the lab's kube-apiserver: server-side apply and reads, over TLS with a token. */
export class KubeClient {
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

    /** Server-side apply, as `kubectl apply --server-side` does. */
    async apply(object: KubeObject): Promise<void> {
        const path = objectPath(object.apiVersion, object.kind, object.metadata.name, object.metadata.namespace);
        const response = await this.request("PATCH", `${path}?fieldManager=eks-flux-gitops-lab&force=true`, object, "application/apply-patch+yaml");
        if (response.status >= 300) {
            throw new Error(`apply ${object.kind}/${object.metadata.name}: ${response.status} ${JSON.stringify(response.body).slice(0, 500)}`);
        }
    }

    async get(apiVersion: string, kind: string, name: string, namespace?: string): Promise<any | undefined> {
        const response = await this.request("GET", objectPath(apiVersion, kind, name, namespace));
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
