import * as pulumi from "@pulumi/pulumi";
import { kubernetesResource } from "../kubernetes-resource.js";
import { assertValid } from "../validate.js";
import { buildFluxInstall, checkFluxInstallOptions, type FluxInstallOptions, type KubernetesObject } from "./install-manifests.js";
import { DEFAULT_FLUX_VERSION, FLUX_CONTROLLERS, IMAGE_CONTROLLERS, type FluxController } from "./release.js";

export interface FluxInstallArgs {
    /** Flux release to install; one line to upgrade. @default "2.9.0" */
    version?: string;
    /** Namespace of the controllers. @default "flux-system" */
    namespace?: string;
    /** Add image-reflector-controller and image-automation-controller. @default false */
    imageAutomation?: boolean;
    /**
     * Annotations on image-reflector-controller's service account, e.g. FluxEcrAccess's
     * `serviceAccountAnnotations` (the IRSA role). Not needed with EKS Pod Identity. @default none
     */
    imageReflectorServiceAccountAnnotations?: pulumi.Input<Record<string, string>>;
    /** Refuse references across namespaces (`--no-cross-namespace-refs=true`), for multi-tenant clusters. @default false */
    noCrossNamespaceRefs?: boolean;
    /** Service account kustomize- and helm-controller impersonate when an object names none (multi-tenancy). @default none */
    defaultServiceAccount?: string;
    /** Install Flux's NetworkPolicies. @default true */
    networkPolicies?: boolean;
    /** Controller log level. @default "info" */
    logLevel?: "debug" | "info" | "error";
    /**
     * Keep the CRDs and the namespace on `pulumi destroy`. Deleting a CRD deletes every object of its
     * kind, and Flux objects created from Git carry finalizers only their controller clears, which is
     * gone by then; keeping them leaves nothing stuck. @default true
     */
    retainCrdsAndNamespaceOnDestroy?: boolean;
    /** Seconds to wait for each controller Deployment to become available. @default 300 */
    readyTimeoutSeconds?: number;
}

/** The manifest options FluxInstall builds from its args, with the documented defaults filled in. */
export function fluxInstallOptions(args: FluxInstallArgs): FluxInstallOptions {
    return {
        version: args.version ?? DEFAULT_FLUX_VERSION,
        namespace: args.namespace ?? "flux-system",
        controllers: FLUX_CONTROLLERS.filter((c) => args.imageAutomation || !IMAGE_CONTROLLERS.includes(c)),
        serviceAccountAnnotations: {},
        noCrossNamespaceRefs: args.noCrossNamespaceRefs ?? false,
        defaultServiceAccount: args.defaultServiceAccount,
        networkPolicies: args.networkPolicies ?? true,
        logLevel: args.logLevel ?? "info",
    };
}

/**
 * Flux's controllers ("GitOps controller stack") on any cluster, from the controllers' own vendored
 * manifests at a pinned release: CRDs, RBAC, hardened Deployments (kustomize-controller with
 * --no-remote-bases=true) and NetworkPolicies, every object visible in the preview diff. Pass this
 * component in the `dependsOn` of Flux objects so they are created after it and deleted before it.
 */
export class FluxInstall extends pulumi.ComponentResource {
    public readonly namespace: pulumi.Output<string>;
    public readonly version: pulumi.Output<string>;
    public readonly controllers: pulumi.Output<FluxController[]>;
    public readonly crdNames: pulumi.Output<string[]>;

    constructor(name: string, args: FluxInstallArgs = {}, opts?: pulumi.ComponentResourceOptions) {
        const options = fluxInstallOptions(args);
        const controllers = options.controllers;
        assertValid(`FluxInstall ${name}`, [checkFluxInstallOptions(options)]);
        super("eks-flux-gitops:flux:FluxInstall", name, {}, opts);

        const manifests = buildFluxInstall(options);
        const retain = args.retainCrdsAndNamespaceOnDestroy ?? true;
        const timeout = `${args.readyTimeoutSeconds ?? 300}s`;
        const apply = (object: KubernetesObject, extra: pulumi.CustomResourceOptions = {}, metadata?: pulumi.Input<object>) => {
            const qualifier = object.metadata.namespace ? `${object.metadata.namespace}-` : "";
            return kubernetesResource(`${name}-${object.kind.toLowerCase()}-${qualifier}${object.metadata.name}`, { ...object, ...(metadata ? { metadata } : {}) }, { parent: this, ...extra });
        };

        const namespace = apply(manifests.namespace, { retainOnDelete: retain });
        const crds = manifests.crds.map((crd) => apply(crd, { retainOnDelete: retain }));
        const foundation = [namespace, ...crds];
        const accounts = manifests.objects
            .filter((o) => o.kind === "ServiceAccount")
            .map((account) =>
                account.metadata.name === "image-reflector-controller" && args.imageReflectorServiceAccountAnnotations
                    ? apply(
                          account,
                          { dependsOn: foundation },
                          pulumi
                              .output(args.imageReflectorServiceAccountAnnotations)
                              .apply((annotations) => ({ ...account.metadata, annotations: { ...account.metadata.annotations, ...annotations } })),
                      )
                    : apply(account, { dependsOn: foundation }),
            );
        const rbac = manifests.objects.filter((o) => o.kind.startsWith("Cluster")).map((o) => apply(o, { dependsOn: accounts }));
        for (const object of manifests.objects.filter((o) => o.kind !== "ServiceAccount" && !o.kind.startsWith("Cluster"))) {
            apply(object, { dependsOn: [...foundation, ...accounts, ...rbac], ...(object.kind === "Deployment" ? { customTimeouts: { create: timeout, update: timeout } } : {}) });
        }

        this.namespace = pulumi.output(options.namespace);
        this.version = pulumi.output(options.version);
        this.controllers = pulumi.output([...controllers]);
        this.crdNames = pulumi.output(manifests.crds.map((crd) => crd.metadata.name));
        this.registerOutputs({ namespace: this.namespace, version: this.version, controllers: this.controllers });
    }
}
