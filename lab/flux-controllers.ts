import * as fs from "node:fs";
import type { KubeObject } from "./kube.js";
import { freePort, type ProcessGroup } from "./processes.js";

export const LAB_CONTROLLERS = [
    "notification-controller",
    "source-controller",
    "kustomize-controller",
    "image-reflector-controller",
    "image-automation-controller",
] as const;
export type LabController = (typeof LAB_CONTROLLERS)[number];

export interface RunningFlux {
    /** Where notification-controller serves Receivers: http://127.0.0.1:port */
    receiverUrl: string;
}

/**
 * The container args of a Deployment FluxInstall generates, with the flags in `overrides` replaced:
 * the lab runs the controllers with the library's own flags (hardening included), changing only the
 * in-cluster addresses and paths.
 */
export function processArgs(deployment: KubeObject, overrides: Record<string, string>): string[] {
    const container = (deployment as any).spec.template.spec.containers.find((c: { name: string }) => c.name === "manager");
    const args: string[] = container.args ?? [];
    const kept = args.filter((arg) => !(arg.replace(/^--/, "").split("=")[0] in overrides));
    return [...kept, ...Object.entries(overrides).map(([flag, value]) => `--${flag}=${value}`)];
}

/** Plain env values of the manager container; the runtime namespace from the Deployment's own. */
function processEnv(deployment: KubeObject): Record<string, string> {
    const container = (deployment as any).spec.template.spec.containers.find((c: { name: string }) => c.name === "manager");
    const env: Record<string, string> = {};
    for (const variable of container.env ?? []) {
        if (typeof variable.value === "string") {
            env[variable.name] = variable.value;
        } else if (variable.valueFrom?.fieldRef?.fieldPath === "metadata.namespace") {
            env[variable.name] = deployment.metadata.namespace!;
        }
    }
    return env;
}

/**
 * Starts Flux's controllers as local processes from the Deployments FluxInstall made, talking to the
 * lab's API server through `kubeconfig` and to each other on loopback.
 */
export async function startFluxControllers(
    group: ProcessGroup,
    bin: (name: string) => string,
    runDir: string,
    kubeconfig: string,
    deployments: Map<string, KubeObject>,
): Promise<RunningFlux> {
    const [events, receiver, storage] = [await freePort(), await freePort(), await freePort()];
    for (const dir of ["source-storage", "reflector-db"]) {
        fs.mkdirSync(`${runDir}/${dir}`, { recursive: true });
    }
    const specific: Record<LabController, Record<string, string>> = {
        "notification-controller": { "events-addr": `127.0.0.1:${events}`, receiverAddr: `127.0.0.1:${receiver}` },
        "source-controller": {
            "storage-path": `${runDir}/source-storage`,
            "storage-addr": `127.0.0.1:${storage}`,
            "storage-adv-addr": `127.0.0.1:${storage}`,
        },
        "kustomize-controller": {},
        "image-reflector-controller": { "storage-path": `${runDir}/reflector-db` },
        "image-automation-controller": {},
    };
    const extraPorts: Partial<Record<LabController, number[]>> = { "notification-controller": [events, receiver], "source-controller": [storage] };
    for (const controller of LAB_CONTROLLERS) {
        const deployment = deployments.get(controller);
        if (!deployment) {
            throw new Error(`the lab stack's FluxInstall has no Deployment ${controller}`);
        }
        const [metrics, health] = [await freePort(), await freePort()];
        const overrides = {
            "metrics-addr": `127.0.0.1:${metrics}`,
            "health-addr": `127.0.0.1:${health}`,
            // Leader election needs the in-cluster namespace file; each controller runs once here.
            "enable-leader-election": "false",
            ...(controller === "notification-controller" ? {} : { "events-addr": `http://127.0.0.1:${events}/` }),
            ...specific[controller],
        };
        group.start(controller, bin(controller), processArgs(deployment, overrides), {
            env: { ...processEnv(deployment), KUBECONFIG: kubeconfig, HOME: runDir },
            ports: [metrics, health, ...(extraPorts[controller] ?? [])],
        });
    }
    return { receiverUrl: `http://127.0.0.1:${receiver}` };
}
