import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";

/** The file every plan folder holds, so a later plan may replace the folder and nothing else. */
export const PLAN_MARKER = ".eks-flux-gitops-plan";

function contains(parent: string, child: string): boolean {
    const relative = path.relative(parent, child);
    return relative === "" || (!relative.startsWith("..") && !path.isAbsolute(relative));
}

/**
 * Why the plan must not replace `out`, or undefined when it may: `out` is a folder a plan wrote
 * (it holds {@link PLAN_MARKER}) or does not exist yet. The filesystem root, the home folder, the
 * project and any folder holding them are refused whatever they contain.
 */
export function planOutputProblem(out: string, projectDir: string, home: string = os.homedir()): string | undefined {
    const target = path.resolve(out);
    for (const [what, folder] of [["the project", projectDir], ["your home folder", home]] as const) {
        if (contains(target, path.resolve(folder))) {
            return `--out ${out}: refusing to replace ${target}, which is or holds ${what} (${folder}); give a folder of its own, such as plan`;
        }
    }
    if (!fs.existsSync(target)) {
        return undefined;
    }
    if (!fs.statSync(target).isDirectory()) {
        return `--out ${out}: ${target} is a file, not a plan folder; give a new folder`;
    }
    if (!fs.existsSync(path.join(target, PLAN_MARKER)) && fs.readdirSync(target).length > 0) {
        return `--out ${out}: ${target} is not empty and was not written by a plan (no ${PLAN_MARKER}); give a new folder or one a plan wrote`;
    }
    return undefined;
}
