import * as fs from "node:fs";
import * as path from "node:path";
import { parse } from "yaml";

/**
 * Reads a stack's configuration the way the Pulumi CLI assembles it: the project's declared
 * defaults from Pulumi.yaml, overridden by the values in Pulumi.<stack>.yaml. Keys come back
 * fully qualified (`project:key`, `aws:region`).
 */
export interface ProjectConfig {
    project: string;
    values: Record<string, unknown>;
    /** The keys Pulumi.yaml declares (unqualified), with their types. */
    declarations: Record<string, ConfigDeclaration>;
}

export interface ConfigDeclaration {
    type?: string;
    items?: { type?: string };
    default?: unknown;
    value?: unknown;
}

/** A config file or value the CLI would refuse; its message has one line per problem, no stack trace. */
export class ConfigFileError extends Error {
    constructor(message: string) {
        super(message);
        this.name = "ConfigFileError";
    }
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

function readYaml(file: string): unknown {
    try {
        return parse(fs.readFileSync(file, "utf8"));
    } catch (error) {
        const first = (error instanceof Error ? error.message : String(error)).split("\n")[0];
        throw new ConfigFileError(`${path.basename(file)} is not valid YAML: ${first}`);
    }
}

function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether `value` has the declared type; strings count when they spell it, as `pulumi config set` stores values. */
function hasType(value: unknown, type: string | undefined, items: string | undefined): boolean {
    switch (type) {
        case undefined:
            return true;
        case "string":
            return typeof value === "string";
        case "integer":
            return Number.isInteger(value) || (typeof value === "string" && /^-?\d+$/.test(value));
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "array": {
            let list = value;
            if (typeof value === "string") {
                try {
                    list = JSON.parse(value);
                } catch {
                    return false;
                }
            }
            return Array.isArray(list) && list.every((item) => hasType(item, items, undefined));
        }
        default:
            return false;
    }
}

/**
 * The problem with one config value, the way Pulumi reports it: a key of the project's namespace that
 * Pulumi.yaml does not declare, or a value of another type than declared. Undefined when it is fine.
 */
export function configValueProblem(config: ProjectConfig, stack: string, qualifiedKey: string, value: unknown): string | undefined {
    const [namespace, ...rest] = qualifiedKey.split(":");
    if (namespace !== config.project) {
        return undefined;
    }
    const key = rest.join(":");
    const declaration = config.declarations[key];
    if (declaration === undefined) {
        return `stack ${stack} sets ${qualifiedKey}, which Pulumi.yaml does not declare (declared keys: ${Object.keys(config.declarations).join(", ")})`;
    }
    if (!hasType(value, declaration.type, declaration.items?.type)) {
        const type = declaration.type === "array" ? `array of ${declaration.items?.type ?? "values"}` : declaration.type;
        return `stack ${stack} sets ${qualifiedKey} = ${JSON.stringify(value)}, which must be of type ${type} as Pulumi.yaml declares it`;
    }
    return undefined;
}

export function loadProjectConfig(projectDir: string, stack: string): ProjectConfig {
    const projectFile = readYaml(path.join(projectDir, "Pulumi.yaml"));
    if (!isMap(projectFile) || typeof projectFile.name !== "string") {
        throw new ConfigFileError("Pulumi.yaml must be a map with a project name");
    }
    const project = projectFile.name;
    const declared = projectFile.config ?? {};
    if (!isMap(declared)) {
        throw new ConfigFileError("Pulumi.yaml: config must be a map of key declarations");
    }
    const values: Record<string, unknown> = {};
    const declarations: Record<string, ConfigDeclaration> = {};
    for (const [key, declaration] of Object.entries(declared)) {
        if (!isMap(declaration)) {
            values[qualify(project, key)] = declaration;
            declarations[key] = {};
            continue;
        }
        declarations[key] = declaration as ConfigDeclaration;
        if ("value" in declaration) {
            values[qualify(project, key)] = declaration.value;
        } else if ("default" in declaration) {
            values[qualify(project, key)] = declaration.default;
        }
    }
    const stackPath = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!/^[A-Za-z0-9_.-]+$/.test(stack) || !fs.existsSync(stackPath)) {
        throw new ConfigFileError(`no stack ${JSON.stringify(stack)} (no file Pulumi.${stack}.yaml): stacks here are ${listStacks(projectDir).join(", ") || "none"}`);
    }
    const stackFile = readYaml(stackPath) ?? {};
    if (!isMap(stackFile)) {
        throw new ConfigFileError(`Pulumi.${stack}.yaml must be a map with a config: section`);
    }
    const stackConfig = stackFile.config ?? {};
    if (!isMap(stackConfig)) {
        throw new ConfigFileError(`Pulumi.${stack}.yaml: config must be a map of key: value, not ${JSON.stringify(stackConfig)}`);
    }
    const config: ProjectConfig = { project, values, declarations };
    const problems: string[] = [];
    for (const [key, value] of Object.entries(stackConfig)) {
        const problem = configValueProblem(config, stack, qualify(project, key), value);
        if (problem) {
            problems.push(`Pulumi.${stack}.yaml: ${problem}`);
        }
        values[qualify(project, key)] = value;
    }
    if (problems.length > 0) {
        throw new ConfigFileError(problems.join("\n"));
    }
    return config;
}

export function listStacks(projectDir: string): string[] {
    return fs
        .readdirSync(projectDir)
        .map((file) => /^Pulumi\.(.+)\.yaml$/.exec(file)?.[1])
        .filter((stack): stack is string => stack !== undefined);
}

/** Pulumi passes config to programs as strings; structured values travel as JSON. */
export function toRuntimeConfig(values: Record<string, unknown>): Record<string, string> {
    return Object.fromEntries(
        Object.entries(values).map(([key, value]) => [key, typeof value === "string" ? value : JSON.stringify(value)]),
    );
}
