import * as k8s from "@pulumi/kubernetes";
import type * as pulumi from "@pulumi/pulumi";
import { validateKubernetesObject } from "../kubernetes-schema.js";
import type { Problem } from "../validate.js";
import type { KubernetesObject } from "./install-manifests.js";

/** How callers reach notification-controller's `webhook-receiver` Service. */
export type ReceiverExposure =
    /** An Ingress on `host` (HTTPS when tlsSecretName is set or the class terminates TLS). */
    | { kind: "ingress"; host: string; ingressClassName?: string; annotations?: Record<string, string>; tlsSecretName?: string }
    /** A LoadBalancer Service; `host` is the DNS name you point at it. */
    | { kind: "load-balancer"; host: string; annotations?: Record<string, string> }
    /** You expose the receiver yourself at `baseUrl` (e.g. behind an existing gateway, or an Ingress another receiver made). */
    | { kind: "external"; baseUrl: string }
    /** Nothing is exposed: only callers inside the cluster reach `http://webhook-receiver.<namespace>.svc.cluster.local`. */
    | { kind: "cluster" };

/** The Service flux's notification-controller manifests create for receivers. */
export const WEBHOOK_RECEIVER_SERVICE = "webhook-receiver";

const DNS_NAME = /^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)+$/;

export interface ExposureRules {
    /** Why the caller needs https, in the message of an `external` URL that is not https. */
    httpsReason: string;
    /** Why the caller cannot use a kind, in the message when it is chosen (e.g. the caller is outside the cluster). */
    refused?: Partial<Record<ReceiverExposure["kind"], string>>;
}

export function checkReceiverExposure(exposure: ReceiverExposure, rules: ExposureRules): Problem[] {
    const refusal = rules.refused?.[exposure.kind];
    if (refusal !== undefined) {
        return [{ field: "exposure.kind", value: exposure.kind, rule: refusal }];
    }
    switch (exposure.kind) {
        case "ingress":
        case "load-balancer":
            return DNS_NAME.test(exposure.host) ? [] : [{ field: "exposure.host", value: exposure.host, rule: "must be a DNS name such as flux-webhook.example.com" }];
        case "external":
            return /^https:\/\/[^\s/]+/.test(exposure.baseUrl) ? [] : [{ field: "exposure.baseUrl", value: exposure.baseUrl, rule: `must be an https:// URL: ${rules.httpsReason}` }];
        case "cluster":
            return [];
        default:
            return [{ field: "exposure.kind", value: (exposure as { kind: unknown }).kind, rule: 'must be "ingress", "load-balancer", "external" or "cluster"' }];
    }
}

/** Where the receivers of `namespace` are served, without the Receiver's path. */
export function receiverBaseUrl(exposure: ReceiverExposure, namespace: string): string {
    switch (exposure.kind) {
        case "ingress":
            return `https://${exposure.host}`;
        case "load-balancer":
            return `http://${exposure.host}`;
        case "external":
            return exposure.baseUrl.replace(/\/+$/, "");
        case "cluster":
            return `http://${WEBHOOK_RECEIVER_SERVICE}.${namespace}.svc.cluster.local`;
    }
}

/** The Ingress (for `ingress`) or LoadBalancer Service (for `load-balancer`) that exposes the receivers; none for the other kinds. */
export function receiverExposureObject(input: { name: string; namespace: string; exposure: ReceiverExposure }): KubernetesObject | undefined {
    const { exposure } = input;
    const annotations = exposure.kind === "ingress" || exposure.kind === "load-balancer" ? exposure.annotations : undefined;
    const metadata = { name: input.name, namespace: input.namespace, ...(annotations ? { annotations } : {}) };
    let object: KubernetesObject;
    if (exposure.kind === "ingress") {
        object = {
            apiVersion: "networking.k8s.io/v1",
            kind: "Ingress",
            metadata,
            spec: {
                ...(exposure.ingressClassName ? { ingressClassName: exposure.ingressClassName } : {}),
                ...(exposure.tlsSecretName ? { tls: [{ hosts: [exposure.host], secretName: exposure.tlsSecretName }] } : {}),
                rules: [{ host: exposure.host, http: { paths: [{ path: "/hook/", pathType: "Prefix", backend: { service: { name: WEBHOOK_RECEIVER_SERVICE, port: { name: "http" } } } }] } }],
            },
        };
    } else if (exposure.kind === "load-balancer") {
        object = {
            apiVersion: "v1",
            kind: "Service",
            metadata,
            spec: { type: "LoadBalancer", selector: { app: "notification-controller" }, ports: [{ name: "http", port: 80, targetPort: "http-webhook" }] },
        };
    } else {
        return undefined;
    }
    validateKubernetesObject(`${object.kind} ${input.name}`, object);
    return object;
}

/**
 * Creates the exposure of a receiver component (child `<name>-ingress` or `<name>-load-balancer`,
 * named `<receiverName>-webhook` in the cluster) and returns the base URL callers use.
 */
export function exposeReceiver(name: string, receiverName: string, namespace: string, exposure: ReceiverExposure, opts: pulumi.CustomResourceOptions): string {
    const object = receiverExposureObject({ name: `${receiverName}-webhook`, namespace, exposure });
    if (object?.kind === "Ingress") {
        new k8s.networking.v1.Ingress(`${name}-ingress`, { metadata: object.metadata, spec: object.spec }, opts);
    } else if (object?.kind === "Service") {
        new k8s.core.v1.Service(`${name}-load-balancer`, { metadata: object.metadata, spec: object.spec }, opts);
    }
    return receiverBaseUrl(exposure, namespace);
}
