/**
 * The lab's stand-in for `pulumi-language-nodejs`, the Node.js language host the Pulumi CLI starts to
 * run a program. The Go module proxy does not serve the real host's module, so the lab cannot build
 * it. This stand-in does only what the real host's `Run` does to start a program: it starts
 * `@pulumi/pulumi/cmd/run` (the SDK's own program runner) with the same arguments and environment
 * (monitor and engine addresses, project, stack, dry run, parallelism, config and secret keys, the
 * runtime options `typescript`, `tsconfig` and `nodeargs`), so program loading, ts-node and the SDK's
 * gRPC traffic with the engine are the real ones. `RunPlugin` starts `@pulumi/pulumi/cmd/run-policy-pack`
 * for policy packs the same way. Differences from the real host, on purpose and documented in the
 * README: it reports no required packages (the lab installs the one provider it uses, and the engine
 * loads a provider when the program first registers one of its resources), it talks to the engine's
 * monitor directly instead of through a proxy, and it leaves out dependency installation, debugging,
 * code generation and packing.
 */
import { spawn } from "node:child_process";
import { createRequire } from "node:module";
import * as path from "node:path";
import * as grpc from "@grpc/grpc-js";

const require = createRequire(import.meta.url);
const langrpc = require("@pulumi/pulumi/proto/language_grpc_pb.js");
const langproto = require("@pulumi/pulumi/proto/language_pb.js");
const pluginproto = require("@pulumi/pulumi/proto/plugin_pb.js");
const { version: sdkVersion } = require("@pulumi/pulumi/package.json");

/** Exit code of `cmd/run` meaning "the program already told the user what went wrong". */
const EXITED_AFTER_USER_ACTIONABLE_MESSAGE = 32;

const engineAddress = process.argv[process.argv.length - 1] ?? "";

interface RuntimeOptions {
    typescript: boolean;
    tsconfig?: string;
    nodeargs: string[];
}

function runtimeOptions(info: any): RuntimeOptions {
    const options = info?.getOptions()?.toJavaScript() ?? {};
    return {
        typescript: options.typescript === undefined ? true : options.typescript === true || options.typescript === "true",
        tsconfig: typeof options.tsconfig === "string" && options.tsconfig !== "" ? options.tsconfig : undefined,
        nodeargs: typeof options.nodeargs === "string" ? options.nodeargs.split(/\s+/).filter(Boolean) : [],
    };
}

function typescriptEnv(options: RuntimeOptions): Record<string, string> {
    return {
        ...(options.typescript ? { PULUMI_NODEJS_TYPESCRIPT: "true" } : {}),
        ...(options.tsconfig ? { PULUMI_NODEJS_TSCONFIG_PATH: options.tsconfig } : {}),
    };
}

/** Resolves a module of @pulumi/pulumi as the program itself would, from its own directory. */
function resolveFrom(directory: string, specifier: string): string {
    return createRequire(path.join(directory, "package.json")).resolve(specifier);
}

/** Config keys as `cmd/run` reads them: `<namespace>:config:<name>`, like the real host writes them. */
function configJson(config: Map<string, string> | undefined): string {
    const transformed: Record<string, string> = {};
    for (const [key, value] of config?.entries() ?? []) {
        const separator = key.indexOf(":");
        transformed[separator < 0 ? key : `${key.slice(0, separator)}:config:${key.slice(separator + 1)}`] = value;
    }
    return JSON.stringify(transformed);
}

function run(call: grpc.ServerUnaryCall<any, any>, callback: grpc.sendUnaryData<any>): void {
    const request = call.request;
    const info = request.getInfo();
    const options = runtimeOptions(info);
    const programDirectory: string = info.getProgramDirectory();
    let runPath: string;
    try {
        runPath = path.dirname(resolveFrom(programDirectory, "@pulumi/pulumi/cmd/run/index.js"));
    } catch {
        callback(null, new langproto.RunResponse().setError("It looks like the Pulumi SDK has not been installed. Have you run npm install?"));
        return;
    }
    const args = [runPath];
    const flag = (name: string, value: string | number | undefined) => {
        if (value !== undefined && value !== "") {
            args.push(`--${name}`, String(value));
        }
    };
    flag("monitor", request.getMonitorAddress());
    flag("engine", engineAddress);
    flag("organization", request.getOrganization());
    flag("project", request.getProject());
    flag("root-directory", info.getRootDirectory());
    flag("stack", request.getStack());
    flag("pwd", programDirectory);
    if (request.getDryrun()) {
        args.push("--dry-run");
    }
    flag("parallel", request.getParallel());
    args.push(info.getEntryPoint(), ...request.getArgsList());

    const child = spawn(process.execPath, [...options.nodeargs, ...args], {
        stdio: ["ignore", "inherit", "inherit"],
        env: {
            ...process.env,
            PULUMI_CONFIG: configJson(request.getConfigMap()),
            PULUMI_CONFIG_SECRET_KEYS: JSON.stringify(request.getConfigsecretkeysList() ?? []),
            ...typescriptEnv(options),
        },
    });
    const cancel = () => child.kill("SIGINT");
    call.on("cancelled", cancel);
    child.on("error", (error) => callback(null, new langproto.RunResponse().setError(`Problem executing program (could not run language executor): ${error.message}`)));
    child.on("exit", (code, signal) => {
        const response = new langproto.RunResponse();
        if (code === EXITED_AFTER_USER_ACTIONABLE_MESSAGE) {
            response.setBail(true);
        } else if (code !== 0) {
            response.setError(code === null ? `Program exited on signal ${signal}` : `Program exited with non-zero exit code: ${code}`);
        }
        callback(null, response);
    });
}

/** Starts a policy pack (kind `analyzer`) with the SDK's policy-pack runner, streaming its output back. */
function runPlugin(call: grpc.ServerWritableStream<any, any>): void {
    const request = call.request;
    const info = request.getInfo();
    const options = runtimeOptions(info);
    const programDirectory: string = info.getProgramDirectory();
    const send = (set: (response: any) => void) => {
        const response = new langproto.RunPluginResponse();
        set(response);
        call.write(response);
    };
    if (request.getKind() !== "analyzer") {
        send((r) => r.setStderr(Buffer.from(`the lab's language host runs policy packs only, not ${request.getKind()} plugins\n`)));
        send((r) => r.setExitcode(1));
        call.end();
        return;
    }
    const runner = path.dirname(resolveFrom(programDirectory, "@pulumi/pulumi/cmd/run-policy-pack/index.js"));
    const environment = Object.fromEntries((request.getEnvList() as string[]).map((entry) => [entry.slice(0, entry.indexOf("=")), entry.slice(entry.indexOf("=") + 1)]));
    const child = spawn(process.execPath, [runner, ...options.nodeargs, ...request.getArgsList(), programDirectory], {
        cwd: programDirectory,
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...environment, ...typescriptEnv(options) },
    });
    child.stdout.on("data", (chunk: Buffer) => send((r) => r.setStdout(chunk)));
    child.stderr.on("data", (chunk: Buffer) => send((r) => r.setStderr(chunk)));
    call.on("cancelled", () => child.kill("SIGINT"));
    child.on("exit", (code) => {
        send((r) => r.setExitcode(code ?? 1));
        call.end();
    });
}

const server = new grpc.Server({ "grpc.max_receive_message_length": 400 * 1024 * 1024 });
server.addService(langrpc.LanguageRuntimeService, {
    run,
    runPlugin,
    getRequiredPlugins: (_call: unknown, callback: grpc.sendUnaryData<any>) => callback(null, new langproto.GetRequiredPluginsResponse()),
    getRequiredPackages: (_call: unknown, callback: grpc.sendUnaryData<any>) => callback(null, new langproto.GetRequiredPackagesResponse()),
    getPluginInfo: (_call: unknown, callback: grpc.sendUnaryData<any>) => callback(null, new pluginproto.PluginInfo().setVersion(sdkVersion)),
});
server.bindAsync("127.0.0.1:0", grpc.ServerCredentials.createInsecure(), (error, port) => {
    if (error) {
        console.error(`language host: ${error.message}`);
        process.exit(1);
    }
    process.stdout.write(`${port}\n`);
});
