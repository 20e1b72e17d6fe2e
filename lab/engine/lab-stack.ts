import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";
import type { PulumiCli, PulumiResult } from "./pulumi-cli.js";

/**
 * One stack of a lab project (a folder of lab/ with its own Pulumi.yaml) as a user drives it with the
 * Pulumi CLI: its stack config lives in the run's folder (`--config-file`), so the checkout is never
 * written to. Every lab project shares the CLI's file backend, so one stack can read another's outputs.
 */
export class LabStack {
    readonly dir: string;
    /** The project's name, from its Pulumi.yaml. */
    readonly project: string;
    private readonly configFile: string;

    constructor(
        readonly cli: PulumiCli,
        projectDir: string,
        /** The project's folder, relative to the checkout (lab/platform). */
        folder: string,
        readonly stack: string,
        runDir: string,
    ) {
        this.dir = path.join(projectDir, folder);
        this.project = parse(fs.readFileSync(path.join(this.dir, "Pulumi.yaml"), "utf8")).name;
        // The run's folder holds every lab stack's config file, so stack names differ across projects.
        this.configFile = path.join(runDir, `Pulumi.${stack}.yaml`);
    }

    /** The stack's name for a `pulumi.StackReference` on the file backend: `organization/<project>/<stack>`. */
    get reference(): string {
        return `organization/${this.project}/${this.stack}`;
    }

    flags(): string[] {
        return ["--stack", this.stack, "--config-file", this.configFile];
    }

    /** `pulumi stack init` with a passphrase; the salt it writes beside Pulumi.yaml moves to the run's config file. */
    protected async create(): Promise<void> {
        await this.cli.ok(this.dir, ["stack", "init", this.stack, "--secrets-provider", "passphrase"]);
        fs.renameSync(path.join(this.dir, `Pulumi.${this.stack}.yaml`), this.configFile);
    }

    async setConfig(values: Record<string, string>, secrets: Record<string, string> = {}): Promise<void> {
        for (const [key, value] of Object.entries(values)) {
            await this.cli.ok(this.dir, ["config", "set", ...this.flags(), key, "--", value]);
        }
        for (const [key, value] of Object.entries(secrets)) {
            await this.cli.ok(this.dir, ["config", "set", ...this.flags(), "--secret", key, "--", value]);
        }
    }

    /** The stack's outputs, secrets shown as `[secret]` (read from the state: no stack config needed). */
    async outputs(): Promise<Record<string, unknown>> {
        return JSON.parse((await this.cli.ok(this.dir, ["stack", "output", "--json", "--stack", this.stack])).output);
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
