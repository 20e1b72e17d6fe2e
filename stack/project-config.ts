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
}

interface ConfigDeclaration {
    type?: string;
    default?: unknown;
    value?: unknown;
}

function qualify(project: string, key: string): string {
    return key.includes(":") ? key : `${project}:${key}`;
}

export function loadProjectConfig(projectDir: string, stack: string): ProjectConfig {
    const projectFile = parse(fs.readFileSync(path.join(projectDir, "Pulumi.yaml"), "utf8")) as {
        name: string;
        config?: Record<string, ConfigDeclaration | string | number | boolean>;
    };
    const project = projectFile.name;
    const values: Record<string, unknown> = {};
    for (const [key, declaration] of Object.entries(projectFile.config ?? {})) {
        if (typeof declaration !== "object" || declaration === null) {
            values[qualify(project, key)] = declaration;
        } else if ("value" in declaration) {
            values[qualify(project, key)] = declaration.value;
        } else if ("default" in declaration) {
            values[qualify(project, key)] = declaration.default;
        }
    }
    const stackPath = path.join(projectDir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(stackPath)) {
        throw new Error(`no stack file ${stackPath}: stacks here are ${listStacks(projectDir).join(", ") || "none"}`);
    }
    const stackFile = (parse(fs.readFileSync(stackPath, "utf8")) ?? {}) as { config?: Record<string, unknown> };
    for (const [key, value] of Object.entries(stackFile.config ?? {})) {
        values[qualify(project, key)] = value;
    }
    return { project, values };
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
