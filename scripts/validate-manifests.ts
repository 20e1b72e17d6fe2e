/**
 * Validates every Kubernetes object in the given folders of YAML files against its schema (the
 * kubernetes-models and Flux models). Exits 1 listing each invalid object, or when an object's kind
 * has no schema here.
 */
import * as fs from "node:fs";
import * as path from "node:path";
import { parseAllDocuments } from "yaml";
import { hasSchema, validateKubernetesObject } from "../components/kubernetes-schema.js";

const files = process.argv.slice(2).flatMap((dir) =>
    fs.readdirSync(dir, { recursive: true, encoding: "utf8" }).filter((f) => f.endsWith(".yaml")).map((f) => path.join(dir, f)),
);
const failures: string[] = [];
let count = 0;
for (const file of files) {
    for (const document of parseAllDocuments(fs.readFileSync(file, "utf8"))) {
        const object = document.toJS();
        if (!object) {
            continue;
        }
        count++;
        if (!hasSchema(object)) {
            failures.push(`${file}: no schema for ${object.apiVersion}/${object.kind}`);
            continue;
        }
        try {
            validateKubernetesObject(file, object);
        } catch (error) {
            failures.push((error as Error).message);
        }
    }
}
if (failures.length > 0) {
    console.error(failures.join("\n"));
    process.exit(1);
}
console.log(`schema: ${count} objects in ${files.length} files valid`);
