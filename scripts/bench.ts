/**
 * `npm run bench`: evaluates the stack under mocks with 3, 30 and 300 apps, several runs each, each run
 * in a fresh process, and prints the median wall time and peak memory per size and the scaling
 * exponent between sizes (1.0 = linear).
 */
import { execFileSync } from "node:child_process";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
    options: { runs: { type: "string", default: "5" }, sizes: { type: "string", default: "3,30,300" } },
});
const sizes = flags.sizes!.split(",").map(Number);
const runs = Number(flags.runs);

interface Sample {
    apps: number;
    wallMs: number;
    resources: number;
    peakRssMiB: number;
}

const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const mid = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

const rows: Array<{ apps: number; resources: number; wallMs: number; peakRssMiB: number }> = [];
for (const size of sizes) {
    const samples: Sample[] = [];
    for (let run = 0; run < runs; run++) {
        const out = execFileSync(process.execPath, ["--import", "tsx", path.join(projectDir, "scripts/bench-run.ts"), "--apps", String(size)], {
            cwd: projectDir,
            encoding: "utf8",
        });
        samples.push(JSON.parse(out.trim().split("\n").pop()!) as Sample);
    }
    rows.push({
        apps: size,
        resources: samples[0].resources,
        wallMs: median(samples.map((s) => s.wallMs)),
        peakRssMiB: median(samples.map((s) => s.peakRssMiB)),
    });
}

console.log(`stack evaluation under mocks, median of ${runs} runs per size (each in a fresh process)`);
console.log("apps  resources  wall ms  peak RSS MiB  exponent vs previous (time, resources)");
rows.forEach((row, i) => {
    const previous = rows[i - 1];
    const exponent = (a: number, b: number) => (Math.log(a / b) / Math.log(row.apps / previous.apps)).toFixed(2);
    const scaling = previous ? `${exponent(row.wallMs, previous.wallMs)}, ${exponent(row.resources, previous.resources)}` : "";
    console.log(
        `${String(row.apps).padStart(4)}  ${String(row.resources).padStart(9)}  ${row.wallMs.toFixed(0).padStart(7)}  ${row.peakRssMiB
            .toFixed(0)
            .padStart(12)}  ${scaling}`,
    );
});
