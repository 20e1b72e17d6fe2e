import * as path from "node:path";
import { stringify } from "yaml";
import { renderOverlayKustomization, type OverlayImage } from "./setter-markers.js";

/** How one app of the seed runs: a long-running Deployment behind a Service, or a CronJob. */
export type AppShape =
    | { kind: "deployment"; port: number; replicas?: number; ingressPath?: string; env?: Record<string, string> }
    | { kind: "cronjob"; schedule: string; env?: Record<string, string> };

/** The tutorial's task tool: an API, a nightly reporter and a web front end behind one Ingress. */
export const SEED_APP_SHAPES: Record<string, AppShape> = {
    "task-service": { kind: "deployment", port: 3000, replicas: 3, ingressPath: "/api", env: { NODE_ENV: "production" } },
    "task-reporter": { kind: "cronjob", schedule: "0 15 * * *", env: { NODE_ENV: "production" } },
    "task-web": { kind: "deployment", port: 8080, ingressPath: "/" },
};

const GENERIC_SHAPE: AppShape = { kind: "deployment", port: 8080 };

export interface SeedApp {
    name: string;
    /** Full image repository, e.g. the ECR URL. */
    image: string;
    tag: string;
    /** The ImagePolicy that updates this app's tag, if any. */
    policy?: { namespace: string; name: string };
    /** Pin the image by digest too: an empty `digest` the ImagePolicy's digest reflection fills. @default false */
    pinDigest?: boolean;
    shape?: AppShape;
}

export const SEED_BASE_PATH = "app/base";
export const SEED_NAME_PREFIX = "prod-";

export interface SeedAppOptions {
    apps: SeedApp[];
    /** Folder of the base. @default "app/base" */
    basePath?: string;
    /** Folder of the overlay, the path Flux applies. @default "app/overlays/prod" */
    overlayPath?: string;
    /** namePrefix of the overlay. @default "prod-" */
    namePrefix?: string;
    /** Host of the Ingress. @default none: any host */
    ingressHost?: string;
}

const labels = (app: string) => ({ "app.kubernetes.io/name": app, "app.kubernetes.io/part-of": "task-tool" });

const restricted = {
    allowPrivilegeEscalation: false,
    readOnlyRootFilesystem: true,
    runAsNonRoot: true,
    capabilities: { drop: ["ALL"] },
    seccompProfile: { type: "RuntimeDefault" },
};

function container(app: SeedApp, shape: AppShape) {
    return {
        name: app.name,
        image: app.name,
        ...(shape.env ? { envFrom: [{ configMapRef: { name: `${app.name}-config` } }] } : {}),
        ...(shape.kind === "deployment"
            ? {
                  ports: [{ name: "http", containerPort: shape.port }],
                  readinessProbe: { tcpSocket: { port: "http" }, periodSeconds: 10 },
              }
            : {}),
        resources: { requests: { cpu: "50m", memory: "64Mi" }, limits: { memory: "256Mi" } },
        securityContext: restricted,
        volumeMounts: [{ name: "tmp", mountPath: "/tmp" }],
    };
}

/** The Kubernetes objects of one app in the base, before the overlay's prefix and images. */
export function appObjects(app: SeedApp): object[] {
    const shape = app.shape ?? SEED_APP_SHAPES[app.name] ?? GENERIC_SHAPE;
    const podSpec = { containers: [container(app, shape)], volumes: [{ name: "tmp", emptyDir: {} }] };
    if (shape.kind === "cronjob") {
        return [
            {
                apiVersion: "batch/v1",
                kind: "CronJob",
                metadata: { name: app.name, labels: labels(app.name) },
                spec: {
                    schedule: shape.schedule,
                    concurrencyPolicy: "Forbid",
                    jobTemplate: { spec: { backoffLimit: 2, template: { metadata: { labels: labels(app.name) }, spec: { ...podSpec, restartPolicy: "Never" } } } },
                },
            },
        ];
    }
    return [
        {
            apiVersion: "apps/v1",
            kind: "Deployment",
            metadata: { name: app.name, labels: labels(app.name) },
            spec: {
                replicas: 1,
                selector: { matchLabels: labels(app.name) },
                template: { metadata: { labels: labels(app.name) }, spec: podSpec },
            },
        },
        {
            apiVersion: "v1",
            kind: "Service",
            metadata: { name: app.name, labels: labels(app.name) },
            spec: { selector: labels(app.name), ports: [{ name: "http", port: 80, targetPort: "http" }] },
        },
    ];
}

function ingressObject(apps: readonly SeedApp[], host: string | undefined): object | undefined {
    const routed = apps
        .map((app) => ({ app, shape: app.shape ?? SEED_APP_SHAPES[app.name] ?? GENERIC_SHAPE }))
        .filter(({ shape }) => shape.kind === "deployment" && shape.ingressPath !== undefined)
        // Longest path first, so /api is matched before /.
        .sort((a, b) => String((b.shape as { ingressPath: string }).ingressPath).length - String((a.shape as { ingressPath: string }).ingressPath).length);
    if (routed.length === 0) {
        return undefined;
    }
    return {
        apiVersion: "networking.k8s.io/v1",
        kind: "Ingress",
        metadata: { name: "app-ingress", labels: { "app.kubernetes.io/part-of": "task-tool" } },
        spec: {
            rules: [
                {
                    ...(host ? { host } : {}),
                    http: {
                        paths: routed.map(({ app, shape }) => ({
                            path: (shape as { ingressPath: string }).ingressPath,
                            pathType: "Prefix",
                            backend: { service: { name: app.name, port: { name: "http" } } },
                        })),
                    },
                },
            ],
        },
    };
}

const yamlFile = (objects: readonly object[]) => objects.map((object) => stringify(object, { lineWidth: 0 })).join("---\n");

/**
 * The config repository's app content, path → file content: a kustomize base with each app's
 * objects and an overlay that prefixes names, scales the API and pins each image, with setter
 * markers on the images an ImagePolicy updates.
 */
export function seedAppFiles(options: SeedAppOptions): Record<string, string> {
    const basePath = options.basePath ?? SEED_BASE_PATH;
    const overlayPath = options.overlayPath ?? "app/overlays/prod";
    const files: Record<string, string> = {};
    const resources: string[] = [];
    const configMaps: object[] = [];
    for (const app of options.apps) {
        files[`${basePath}/${app.name}.yaml`] = yamlFile(appObjects(app));
        resources.push(`${app.name}.yaml`);
        const shape = app.shape ?? SEED_APP_SHAPES[app.name] ?? GENERIC_SHAPE;
        if (shape.env) {
            configMaps.push({ name: `${app.name}-config`, literals: Object.entries(shape.env).map(([k, v]) => `${k}=${v}`) });
        }
    }
    const ingress = ingressObject(options.apps, options.ingressHost);
    if (ingress) {
        files[`${basePath}/ingress.yaml`] = yamlFile([ingress]);
        resources.push("ingress.yaml");
    }
    files[`${basePath}/kustomization.yaml`] = stringify(
        {
            apiVersion: "kustomize.config.k8s.io/v1beta1",
            kind: "Kustomization",
            resources,
            ...(configMaps.length > 0 ? { configMapGenerator: configMaps } : {}),
        },
        { lineWidth: 0 },
    );

    const relativeBase = path.posix.relative(overlayPath, basePath);
    const replicas = options.apps
        .map((app) => ({ app, shape: app.shape ?? SEED_APP_SHAPES[app.name] ?? GENERIC_SHAPE }))
        .filter(({ shape }) => shape.kind === "deployment" && shape.replicas !== undefined)
        .map(({ app, shape }) => ({ name: app.name, count: (shape as { replicas: number }).replicas }));
    const images: OverlayImage[] = options.apps.map((app) => ({
        name: app.name,
        newName: app.image,
        newTag: app.tag,
        ...(app.pinDigest ? { digest: "" } : {}),
        ...(app.policy ? { policy: app.policy } : {}),
    }));
    files[`${overlayPath}/kustomization.yaml`] = renderOverlayKustomization(
        {
            resources: [relativeBase],
            namePrefix: options.namePrefix ?? SEED_NAME_PREFIX,
            ...(replicas.length > 0 ? { replicas } : {}),
        },
        images,
        " Flux applies this overlay. Image tags marked with $imagepolicy are updated by Flux's image automation;\n Pulumi creates this file once and then leaves it to Git.",
    );
    return files;
}
