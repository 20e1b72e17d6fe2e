import * as fs from "node:fs";
import * as path from "node:path";
import type { Subject } from "./subject.js";

interface PlanResourceEntry {
    urn: string;
    type: string;
    name: string;
    dependencies?: string[];
    options?: { ignoreChanges?: string[]; protect?: boolean; retainOnDelete?: boolean };
    secretPaths?: string[];
    inputs: Record<string, any>;
}

/** The subjects of an offline plan directory (`plan/resources.json`), as the rules see them. */
export function subjectsFromPlan(planDir: string): Subject[] {
    const file = path.join(planDir, "resources.json");
    if (!fs.existsSync(file)) {
        throw new Error(`${file} does not exist: make a plan first with \`npm run plan -- --out ${planDir}\``);
    }
    const entries = JSON.parse(fs.readFileSync(file, "utf8")) as PlanResourceEntry[];
    return entries.map((entry) => ({
        urn: entry.urn,
        type: entry.type,
        name: entry.name,
        props: entry.inputs,
        dependencies: entry.dependencies ?? [],
        ignoreChanges: entry.options?.ignoreChanges ?? [],
        secretPaths: entry.secretPaths ?? [],
        protect: entry.options?.protect ?? false,
        retainOnDelete: entry.options?.retainOnDelete ?? false,
    }));
}
