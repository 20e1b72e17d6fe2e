import type { GitServer } from "../git-server.js";
import { LabStack } from "./lab-stack.js";
import type { PulumiCli } from "./pulumi-cli.js";

export const PLATFORM_STACK = "lab";

/** The intervals of the lab's platform stack, as stack config. */
export interface LabIntervals {
    sourceInterval: string;
    syncInterval: string;
    scanInterval: string;
    automationInterval: string;
}

/** The lab's platform project (lab/platform), its stack `lab`. */
export class PlatformStack extends LabStack {
    constructor(cli: PulumiCli, projectDir: string, runDir: string) {
        super(cli, projectDir, "lab/platform", PLATFORM_STACK, runDir);
    }

    async init(kubeconfig: string, git: GitServer, registry: string, imageOwner: string, apps: string[], intervals: LabIntervals, readyTimeout: string): Promise<void> {
        await this.create();
        await this.setConfig(
            { gitUrl: git.url, publicKey: git.publicKey, knownHosts: git.knownHosts, registry, imageOwner, readyTimeout, ...intervals },
            { kubeconfig, privateKey: git.privateKey },
        );
        for (const [i, app] of apps.entries()) {
            await this.cli.ok(this.dir, ["config", "set", ...this.flags(), "--path", `apps[${i}]`, "--", app]);
        }
    }
}
