/**
 * Reading the text `pulumi preview --diff` prints: its resource steps, the fields each changes and
 * the summary of counts. Pure functions over the CLI's documented display format.
 */

const ANSI = /\u001b\[[0-9;?]*[A-Za-z]|\u001b\][^\u0007\u001b]*(?:\u0007|\u001b\\)/g;

/** The text without terminal colour and cursor codes, carriage-return progress and trailing spaces. */
export function stripAnsi(text: string): string {
    return text
        .replace(ANSI, "")
        .split("\n")
        .map((line) => line.replace(/\r+$/, "").split("\r").pop()!.replace(/\s+$/, ""))
        .join("\n");
}

/** The summary's counts by operation, as printed after "Resources:": `~ 1 to update` gives { update: 1 }; `unchanged` too. */
export type PreviewCounts = Record<string, number>;

/** Reads the "Resources:" summary; an empty record when the output has none (a failed preview). */
export function previewCounts(output: string): PreviewCounts {
    const plain = stripAnsi(output);
    const start = plain.search(/^Resources:$/m);
    if (start < 0) {
        return {};
    }
    const counts: PreviewCounts = {};
    for (const line of plain.slice(start).split("\n").slice(1)) {
        if (line.trim() === "") {
            break;
        }
        const change = /^\s+(?:\+-|\+\+|--|[+~-])?\s*(\d+) to ([\w-]+)$/.exec(line);
        if (change) {
            counts[change[2]] = Number(change[1]);
        }
        const same = /(\d+) unchanged$/.exec(line);
        if (same) {
            counts.unchanged = Number(same[1]);
        }
    }
    return counts;
}

const ORDER = ["create", "update", "replace", "delete"];

/** One line for the comment: "1 to update, 40 unchanged", or "no changes". */
export function countsLine(counts: PreviewCounts): string {
    const ops = Object.keys(counts)
        .filter((op) => op !== "unchanged" && counts[op] > 0)
        .sort((a, b) => (ORDER.indexOf(a) + 1 || ORDER.length + 1) - (ORDER.indexOf(b) + 1 || ORDER.length + 1) || a.localeCompare(b));
    const parts = ops.map((op) => `${counts[op]} to ${op}`);
    if (parts.length === 0) {
        parts.push("no changes");
    }
    if (counts.unchanged) {
        parts.push(`${counts.unchanged} unchanged`);
    }
    return parts.join(", ");
}

/** A field a resource step changes, as the diff prints it: `~ range: "1.1.x" => "1.2.x"` under `spec: { policy: { semver: {`. */
export interface FieldChange {
    /** Type token, e.g. `kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy`. */
    resourceType: string;
    /** The resource's logical name, the last part of its URN. */
    name: string;
    /** The step, e.g. `update`, `replace`, `create-replacement`. */
    op: string;
    /** Dotted path of the field, array items as `[i]`: `spec.policy.semver.range`. */
    field: string;
    /** The values as printed, quotes removed from strings: `[secret]` for a masked one. */
    old: string;
    new: string;
}

const RESOURCE = /^\s*(?:\+-|\+\+|--|[+~-]|<=|=>)?\s*([A-Za-z][\w.-]*:[\w./-]*:[\w$.-]+): \(([\w-]+)\)$/;
const URN = /^\s*\[urn=(urn:pulumi:[^\]]*)\]$/;
const OPEN = /^\s*(?:[+~-]\s*)?([^\s:]+): [{[]$/;
const CLOSE = /^\s*[}\]]$/;
const CHANGE = /^\s*~\s*([^\s:]+): (.+?) => (.+)$/;

function unquote(value: string): string {
    const trimmed = value.trim();
    if (/^"(?:[^"\\]|\\.)*"$/.test(trimmed)) {
        try {
            return JSON.parse(trimmed) as string;
        } catch {
            return trimmed.slice(1, -1);
        }
    }
    return trimmed;
}

/** Every `old => new` field of every resource step in the output, with the path of keys it sits under. */
export function fieldChanges(output: string): FieldChange[] {
    const changes: FieldChange[] = [];
    let resource: { resourceType: string; name: string; op: string } | undefined;
    let path: string[] = [];
    for (const line of stripAnsi(output).split("\n")) {
        const header = RESOURCE.exec(line);
        if (header) {
            resource = { resourceType: header[1], name: "", op: header[2] };
            path = [];
            continue;
        }
        if (!resource) {
            continue;
        }
        // Text at the margin ends the step (a step marker may stand there: the comment moves it
        // there), and so do the step's outputs, which are not its inputs' changes.
        if (/^[^\s+~-]/.test(line) || /^\s*--outputs:--$/.test(line)) {
            resource = undefined;
            continue;
        }
        const urn = URN.exec(line);
        if (urn) {
            resource.name = urn[1].slice(urn[1].lastIndexOf("::") + 2);
            continue;
        }
        const open = OPEN.exec(line);
        if (open) {
            path.push(open[1]);
            continue;
        }
        if (CLOSE.test(line)) {
            path.pop();
            continue;
        }
        const change = CHANGE.exec(line);
        if (change) {
            const field = [...path, change[1]].join(".").replace(/\.\[/g, "[");
            changes.push({ ...resource, field, old: unquote(change[2]), new: unquote(change[3]) });
        }
    }
    return changes;
}
