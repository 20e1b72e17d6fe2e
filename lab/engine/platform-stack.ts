import * as fs from "node:fs";
import * as path from "node:path";
import type { GitServer } from "../git-server.js";
import { PulumiCli, type PulumiResult } from "./pulumi-cli.js";

export const PLATFORM_STACK = "lab";

/** The intervals of the lab's platform stack, as stack config. */
export interface LabIntervals {
    sourceInterval: string;
    syncInterval: string;
    scanInterval: string;
    automationInterval: string;
}

/**
 * The lab's platform project (lab/platform) as a user drives it with the Pulumi CLI: its stack config
 * lives in the run's folder (`--config-file`), so the checkout is never written to.
 */
export class PlatformStack {
    readonly dir: string;
    private readonly configFile: string;

    constructor(
        readonly cli: PulumiCli,
        projectDir: string,
        runDir: string,
    ) {
        this.dir = path.join(projectDir, "lab/platform");
        this.configFile = path.join(runDir, `Pulumi.${PLATFORM_STACK}.yaml`);
    }

    flags(): string[] {
        return ["--stack", PLATFORM_STACK, "--config-file", this.configFile];
    }

    async init(kubeconfig: string, git: GitServer, registry: string, imageOwner: string, apps: string[], intervals: LabIntervals, readyTimeout: string): Promise<void> {
        await this.cli.ok(this.dir, ["stack", "init", PLATFORM_STACK, "--secrets-provider", "passphrase"]);
        // `stack init` writes the passphrase's salt beside Pulumi.yaml; the run keeps it with the rest of the config.
        fs.renameSync(path.join(this.dir, `Pulumi.${PLATFORM_STACK}.yaml`), this.configFile);
        await this.setConfig(
            { gitUrl: git.url, publicKey: git.publicKey, knownHosts: git.knownHosts, registry, imageOwner, readyTimeout, ...intervals },
            { kubeconfig, privateKey: git.privateKey },
        );
        for (const [i, app] of apps.entries()) {
            await this.cli.ok(this.dir, ["config", "set", ...this.flags(), "--path", `apps[${i}]`, "--", app]);
        }
    }

    async setConfig(values: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
        for (const [key, value] of Object.entries(values)) {
            await this.cli.ok(this.dir, ["config", "set", ...this.flags(), key, "--", value]);
        }
        for (const [key, value] of Object.entries(secrets)) {
            await this.cli.ok(this.dir, ["config", "set", ...this.flags(), "--secret", key, "--", value]);
        }
    }

    up(): Promise<PulumiResult> {
        return this.cli.run(this.dir, ["up", "--yes", "--skip-preview", ...this.flags()]);
    }

    preview(...extra: string[]): Promise<PulumiResult> {
        return this.cli.run(this.dir, ["preview", ...this.flags(), ...extra]);
    }

    destroy(): Promise<PulumiResult> {
        return this.cli.run(this.dir, ["destroy", "--yes", "--skip-preview", ...this.flags()]);
    }
}
