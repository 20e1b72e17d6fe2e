import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import { assertValid, checkGoDuration, checkKubernetesLabelName, checkKubernetesName, type Problem } from "../validate.js";
import { childOptions } from "../child-options.js";
import { checkReadyTimeout, readinessAnnotations } from "./readiness.js";
import { KUSTOMIZATION_DELETION_POLICIES, kustomization, type KustomizationDeletionPolicy, type KustomizationInput } from "./sync-manifests.js";
import { checkSyncTargetNamespace } from "./sync-placement.js";

export const DEFAULT_DELETION_POLICY: KustomizationDeletionPolicy = "Orphan";

export interface AppSyncArgs {
    /** Name of the Kustomization. @default the component's name */
    name?: string;
    /** Namespace of the Kustomization. @default "flux-system" */
    namespace?: string;
    /** The source to apply from, usually GitSource's GitRepository. */
    sourceRef: { kind?: "GitRepository" | "OCIRepository" | "Bucket"; name: string; namespace?: string };
    /** Folder in the source, starting with ./ (seed: ./app/overlays/prod). */
    path: string;
    /** How often Flux re-applies and corrects drift. @default "10m" */
    interval?: string;
    /** Delete objects that were removed from Git. @default true */
    prune?: boolean;
    /**
     * What happens to the app when this Kustomization is deleted (`pulumi destroy`, or the sync
     * removed from the program): "Orphan" leaves every applied object running; "Delete" has Flux
     * delete them all; "WaitForTermination" deletes them and waits until they are gone;
     * "MirrorPrune" deletes them when prune is true. @default "Orphan": destroying the sync never
     * takes the app down with it, as the app namespace is kept too
     */
    deletionPolicy?: KustomizationDeletionPolicy;
    /** Namespace every object is applied into. @default none (the manifests decide) */
    targetNamespace?: string;
    /**
     * Create targetNamespace as a Namespace that `pulumi destroy` leaves in place (the app's data
     * and anything else in it is not deleted by surprise). @default true when targetNamespace is set
     */
    createTargetNamespace?: boolean;
    /** Objects whose health gates readiness. @default none */
    healthChecks?: KustomizationInput["healthChecks"];
    /** Wait for every applied object to become ready. @default false */
    wait?: boolean;
    /** Timeout of each apply and health check. @default Flux's (the interval) */
    timeout?: string;
    /** Retry interval after a failure. @default Flux's (the interval) */
    retryInterval?: string;
    /** Kustomizations that must be Ready first. @default none */
    dependsOn?: Array<{ name: string; namespace?: string }>;
    /** How long `pulumi up` waits for the Kustomization to be Ready. @default "10m" */
    readyTimeout?: string;
}

/**
 * A Flux Kustomization that applies a folder of the config repository; `pulumi up` waits until it is
 * Ready (applied, and healthy when health checks are set).
 */
export class AppSync extends pulumi.ComponentResource {
    public readonly name: pulumi.Output<string>;
    public readonly namespace: pulumi.Output<string>;

    constructor(name: string, args: AppSyncArgs, opts?: pulumi.ComponentResourceOptions) {
        const objectName = args.name ?? name;
        const namespace = args.namespace ?? "flux-system";
        const interval = args.interval ?? "10m";
        const readyTimeout = args.readyTimeout ?? "10m";
        const deletionPolicy = args.deletionPolicy ?? DEFAULT_DELETION_POLICY;
        const problems: Array<Problem | undefined> = [
            checkKubernetesName("name", objectName),
            checkKubernetesLabelName("namespace", namespace),
            checkKubernetesName("sourceRef.name", args.sourceRef.name),
            /^\.\/[^\s]*$/.test(args.path) && !args.path.split("/").includes("..")
                ? undefined
                : { field: "path", value: args.path, rule: "must be a folder of the source starting with ./ and without .." },
            checkGoDuration("interval", interval),
            args.timeout !== undefined ? checkGoDuration("timeout", args.timeout) : undefined,
            args.retryInterval !== undefined ? checkGoDuration("retryInterval", args.retryInterval) : undefined,
            args.targetNamespace !== undefined ? checkKubernetesLabelName("targetNamespace", args.targetNamespace) : undefined,
            args.targetNamespace !== undefined ? checkSyncTargetNamespace("targetNamespace", args.targetNamespace, namespace) : undefined,
            KUSTOMIZATION_DELETION_POLICIES.includes(deletionPolicy)
                ? undefined
                : { field: "deletionPolicy", value: deletionPolicy, rule: `must be one of ${KUSTOMIZATION_DELETION_POLICIES.join(", ")}` },
            checkReadyTimeout("readyTimeout", readyTimeout),
            ...(args.dependsOn ?? []).map((d, i) => checkKubernetesName(`dependsOn[${i}].name`, d.name)),
        ];
        assertValid(`AppSync ${name}`, problems);
        const manifest = kustomization({
            name: objectName,
            namespace,
            sourceRef: { kind: args.sourceRef.kind ?? "GitRepository", name: args.sourceRef.name, ...(args.sourceRef.namespace ? { namespace: args.sourceRef.namespace } : {}) },
            path: args.path,
            interval,
            prune: args.prune ?? true,
            deletionPolicy,
            targetNamespace: args.targetNamespace,
            timeout: args.timeout,
            retryInterval: args.retryInterval,
            wait: args.wait,
            healthChecks: args.healthChecks,
            dependsOn: args.dependsOn,
            annotations: readinessAnnotations(readyTimeout),
        });
        super("eks-flux-gitops:flux:AppSync", name, {}, opts);
        const child = childOptions(this, opts);

        const namespaces =
            args.targetNamespace && (args.createTargetNamespace ?? true)
                ? [
                      new k8s.core.v1.Namespace(
                          `${name}-target-namespace`,
                          { metadata: { name: args.targetNamespace, labels: { "app.kubernetes.io/managed-by": "pulumi" } } },
                          { ...child, retainOnDelete: true },
                      ),
                  ]
                : [];
        new k8s.apiextensions.CustomResource(`${name}-kustomization`, manifest as k8s.apiextensions.CustomResourceArgs, childOptions(this, opts, ...namespaces));
        this.name = pulumi.output(objectName);
        this.namespace = pulumi.output(namespace);
        this.registerOutputs({ name: this.name, namespace: this.namespace });
    }
}
