import { spawn } from "node:child_process";
import * as fs from "node:fs";
import * as path from "node:path";

export interface PulumiResult {
    code: number;
    /** stdout and stderr, interleaved as the CLI wrote them. */
    output: string;
    seconds: number;
}

/** Fails with the command's last 40 lines unless it exited 0; `secrets` are masked in them. */
export function assertSucceeded(what: string, result: PulumiResult, secrets: readonly string[] = []): void {
    if (result.code !== 0) {
        const tail = result.output.split("\n").slice(-40).join("\n");
        throw new Error(`${what} failed:\n${secrets.reduce((text, secret) => text.replaceAll(secret, "[secret]"), tail)}`);
    }
}

/** The plugin the lab installs: the kubernetes provider lab/build.sh built, under the version it really is. */
export interface LabPlugin {
    name: string;
    version: string;
    binary: string;
}

/**
 * The real Pulumi CLI (built by lab/build.sh) in a lab-only home: plugins only from the lab's builds,
 * never downloaded, ambient plugins ignored, a file backend and a passphrase secrets provider. Every
 * command's output goes to the run's logs.
 */
export class PulumiCli {
    readonly home: string;
    readonly backend: string;
    private readonly env: Record<string, string>;
    private commands = 0;

    constructor(
        private readonly cli: string,
        private readonly logDir: string,
        stateDir: string,
        nodeBinDir: string,
    ) {
        this.home = path.join(stateDir, "home");
        this.backend = path.join(stateDir, "backend");
        fs.mkdirSync(this.home, { recursive: true });
        fs.mkdirSync(this.backend, { recursive: true });
        this.env = {
            PULUMI_HOME: this.home,
            PULUMI_BACKEND_URL: `file://${this.backend}`,
            PULUMI_CONFIG_PASSPHRASE: "lab-only passphrase",
            PULUMI_IGNORE_AMBIENT_PLUGINS: "true",
            PULUMI_DISABLE_AUTOMATIC_PLUGIN_ACQUISITION: "true",
            PULUMI_SKIP_UPDATE_CHECK: "true",
            PULUMI_SKIP_CONFIRMATIONS: "true",
            // The CLI and the language host start `node` from PATH: the project's pinned Node first.
            PATH: `${nodeBinDir}:${process.env.PATH}`,
        };
    }

    /** Runs `pulumi args...` in `cwd`; resolves with its exit code and output (it never throws on a non-zero exit). */
    run(cwd: string, args: string[], extraEnv: Record<string, string> = {}, onOutput?: (text: string) => void): Promise<PulumiResult> {
        const started = Date.now();
        const log = path.join(this.logDir, `pulumi-${String(++this.commands).padStart(2, "0")}-${args.filter((a) => !a.startsWith("-"))[0] ?? "cli"}.log`);
        fs.writeFileSync(log, `$ pulumi ${args.join(" ")}  (in ${cwd})\n`);
        return new Promise((resolve, reject) => {
            // Before any `--`, after which everything is a positional value.
            const end = args.includes("--") ? args.indexOf("--") : args.length;
            const child = spawn(this.cli, [...args.slice(0, end), "--non-interactive", ...args.slice(end)], { cwd, env: { ...process.env, ...this.env, ...extraEnv }, stdio: ["ignore", "pipe", "pipe"] });
            let output = "";
            const collect = (chunk: Buffer) => {
                output += chunk.toString();
                fs.appendFileSync(log, chunk);
                onOutput?.(output);
            };
            child.stdout.on("data", collect);
            child.stderr.on("data", collect);
            child.on("error", reject);
            child.on("close", (code) => resolve({ code: code ?? 1, output, seconds: (Date.now() - started) / 1000 }));
        });
    }

    /** Like run, but a non-zero exit is an error carrying the command's output. */
    async ok(cwd: string, args: string[], extraEnv: Record<string, string> = {}): Promise<PulumiResult> {
        const result = await this.run(cwd, args, extraEnv);
        if (result.code !== 0) {
            throw new Error(`pulumi ${args.join(" ")} exited ${result.code}:\n${result.output.split("\n").slice(-40).join("\n")}`);
        }
        return result;
    }

    async installPlugin(plugin: LabPlugin): Promise<void> {
        await this.ok(this.home, ["plugin", "install", "resource", plugin.name, plugin.version, "--file", plugin.binary]);
    }
}

/**
 * Writes the launcher of the lab's language host (lab/engine/language-host.ts) next to the CLI, where
 * the engine looks for the bundled `pulumi-language-nodejs`.
 */
export function installLanguageHost(cliPath: string, projectDir: string, node: string): void {
    const target = path.join(path.dirname(fs.realpathSync(cliPath)), "pulumi-language-nodejs");
    const script = [
        "#!/bin/sh",
        "# The lab's stand-in for the Node.js language host; see lab/engine/language-host.ts.",
        // Node >= 23.6 runs TypeScript that only needs its types stripped, as this file does.
        `exec "${node}" "${projectDir}/lab/engine/language-host.ts" "$@"`,
        "",
    ].join("\n");
    fs.writeFileSync(target, script, { mode: 0o755 });
}
