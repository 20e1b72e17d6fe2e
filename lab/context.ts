import type { PlatformStack } from "./engine/platform-stack.js";
import type { PulumiCli } from "./engine/pulumi-cli.js";
import type { RunningFlux } from "./flux-controllers.js";
import type { GitServer } from "./git-server.js";
import type { KubeClient } from "./kube.js";
import type { ProcessGroup } from "./processes.js";
import type { LabRegistry } from "./registry.js";
import type { Workspace } from "./workspace.js";

/**
 * Everything a phase of the lab (lab/phases/) works with once the platform stack is up and Flux runs:
 * the cluster, the engine, the platform stack, the Git server, the registry and the developer's clone.
 */
export interface LabContext {
    projectDir: string;
    /** This run's folder (logs, engine state, stack config): never the checkout. */
    runDir: string;
    group: ProcessGroup;
    /** The programs lab/build.sh made, by name. */
    bin: (name: string) => string;
    kube: KubeClient;
    /** Path of the lab cluster's kubeconfig file. */
    kubeconfig: string;
    cli: PulumiCli;
    stack: PlatformStack;
    server: GitServer;
    registry: LabRegistry;
    workspace: Workspace;
    flux: RunningFlux;
    /** Set once the platform's Receivers are on (the "instant" phase). */
    receivers?: LabReceivers;
}

/** The platform's Receivers as the instant phase switched them on. */
export interface LabReceivers {
    /** The tokens now in the stack config (secrets). */
    gitToken: string;
    imageToken: string;
    /** The Git push webhook URL the stack outputs, as the Git server's hook calls it. */
    gitWebhookUrl: string;
    /** Where the Git server's hook logs each delivery's HTTP status. */
    deliveries: string;
}
