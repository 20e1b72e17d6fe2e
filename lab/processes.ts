import { spawn, type ChildProcess } from "node:child_process";
import * as fs from "node:fs";
import * as net from "node:net";
import * as path from "node:path";

/** The lab's programs: started with their output in log files, all stopped together, also on failure. */
export class ProcessGroup {
    private readonly running: Array<{ name: string; child: ChildProcess; ports: number[]; error?: Error; stopped?: boolean }> = [];

    constructor(private readonly logDir: string) {
        fs.mkdirSync(logDir, { recursive: true });
    }

    /** The file a started program's output goes to. */
    logFile(name: string): string {
        return path.join(this.logDir, `${name}.log`);
    }

    start(name: string, command: string, args: string[], options: { env?: Record<string, string>; cwd?: string; ports?: number[] } = {}): ChildProcess {
        const log = fs.openSync(this.logFile(name), "a");
        const child = spawn(command, args, {
            cwd: options.cwd,
            env: { ...process.env, ...options.env },
            stdio: ["ignore", log, log],
            detached: true,
        });
        const entry: { name: string; child: ChildProcess; ports: number[]; error?: Error; stopped?: boolean } = { name, child, ports: options.ports ?? [] };
        child.on("exit", (code, signal) => fs.appendFileSync(this.logFile(name), `\n[lab] ${name} exited: code ${code} signal ${signal}\n`));
        child.on("error", (error) => {
            entry.error = error;
        });
        this.running.push(entry);
        return child;
    }

    /** Waits until a program the group started listens on `port`. */
    async waitForListening(what: string, port: number): Promise<void> {
        await waitFor(`${what} listening`, 30_000, async () => ((await isListening(port)) ? true : undefined), undefined, this);
    }

    /** Fails fast when a started program has already died, naming it and pointing at its log. */
    assertAlive(): void {
        for (const { name, child, error, stopped } of this.running) {
            if (stopped) {
                continue;
            }
            if (error) {
                throw new Error(`${name} could not start: ${error.message}`);
            }
            if (child.exitCode !== null || child.signalCode !== null) {
                const tail = fs.readFileSync(path.join(this.logDir, `${name}.log`), "utf8").split("\n").slice(-15).join("\n");
                throw new Error(`${name} exited (code ${child.exitCode}, signal ${child.signalCode}); last lines of its log:\n${tail}`);
            }
        }
    }

    /** Peak resident memory (VmHWM) of each running program, in MiB. */
    peakMemory(): Record<string, number> {
        const peaks: Record<string, number> = {};
        for (const { name, child } of this.running) {
            try {
                const hwm = /VmHWM:\s+(\d+) kB/.exec(fs.readFileSync(`/proc/${child.pid}/status`, "utf8"));
                if (hwm) {
                    peaks[name] = Math.round(Number(hwm[1]) / 1024);
                }
            } catch {
                // exited
            }
        }
        return peaks;
    }

    /** Stops one program (TERM to its process group), as a kubelet stops a deleted pod. */
    stop(name: string): void {
        const entry = this.running.find((e) => e.name === name && !e.stopped);
        if (entry?.child.pid && entry.child.exitCode === null && entry.child.signalCode === null) {
            entry.stopped = true;
            try {
                process.kill(-entry.child.pid, "SIGTERM");
            } catch {
                // already gone
            }
        }
    }

    /** Stops one program and waits until it has exited, so it can be started again on its ports. */
    async stopAndWait(name: string): Promise<void> {
        const entry = this.running.find((e) => e.name === name && !e.stopped);
        if (!entry) {
            return;
        }
        this.stop(name);
        await waitFor(`${name} to exit`, 15_000, async () => (entry.child.exitCode !== null || entry.child.signalCode !== null ? true : undefined));
    }

    /** Stops everything (TERM, then KILL after a grace period) and checks no listener is left. */
    async stopAll(): Promise<void> {
        for (const { child } of [...this.running].reverse()) {
            if (child.exitCode === null && child.pid) {
                try {
                    process.kill(-child.pid, "SIGTERM");
                } catch {
                    // already gone
                }
            }
        }
        const deadline = Date.now() + 10_000;
        while (Date.now() < deadline && this.running.some(({ child }) => child.exitCode === null && child.signalCode === null)) {
            await sleep(100);
        }
        for (const { child } of this.running) {
            if (child.exitCode === null && child.signalCode === null && child.pid) {
                try {
                    process.kill(-child.pid, "SIGKILL");
                } catch {
                    // already gone
                }
            }
        }
        await sleep(200);
        const open: string[] = [];
        for (const { name, ports } of this.running) {
            for (const port of ports) {
                if (await isListening(port)) {
                    open.push(`${name}:${port}`);
                }
            }
        }
        this.running.length = 0;
        if (open.length > 0) {
            throw new Error(`listeners left behind: ${open.join(", ")}`);
        }
    }
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** A free TCP port on 127.0.0.1. */
export function freePort(): Promise<number> {
    return new Promise((resolve, reject) => {
        const server = net.createServer();
        server.unref();
        server.on("error", reject);
        server.listen(0, "127.0.0.1", () => {
            const port = (server.address() as net.AddressInfo).port;
            server.close(() => resolve(port));
        });
    });
}

export function isListening(port: number): Promise<boolean> {
    return new Promise((resolve) => {
        const socket = net.connect({ host: "127.0.0.1", port });
        socket.once("connect", () => {
            socket.destroy();
            resolve(true);
        });
        socket.once("error", () => resolve(false));
    });
}

/** Polls `probe` until it returns a value, or fails after `timeoutMs` naming what was awaited and what was last seen. */
export async function waitFor<T>(
    what: string,
    timeoutMs: number,
    probe: () => Promise<T | undefined>,
    describeLast?: () => Promise<string>,
    group?: ProcessGroup,
    pollMs = 500,
): Promise<T> {
    const deadline = Date.now() + timeoutMs;
    let lastError = "";
    while (Date.now() < deadline) {
        group?.assertAlive();
        try {
            const value = await probe();
            if (value !== undefined) {
                return value;
            }
        } catch (error) {
            lastError = (error as Error).message;
        }
        await sleep(pollMs);
    }
    const last = describeLast ? await describeLast().catch((e: Error) => e.message) : lastError;
    throw new Error(`timed out after ${timeoutMs / 1000}s waiting for ${what}; last seen: ${last || "nothing"}`);
}
