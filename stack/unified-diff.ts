/** A unified diff (`diff -u` format) of two texts, line by line, with no dependency. */

type Edit = { op: " " | "-" | "+"; line: string };

/** Largest middle part (old lines x new lines) diffed line by line; past it the middle is shown replaced whole. */
const MAX_CELLS = 4_000_000;

function splitLines(text: string): string[] {
    if (text === "") {
        return [];
    }
    return (text.endsWith("\n") ? text.slice(0, -1) : text).split("\n");
}

/** The edit script of a longest common subsequence; common head and tail are cut off first, as most changes are small. */
function edits(a: string[], b: string[]): Edit[] {
    let start = 0;
    while (start < a.length && start < b.length && a[start] === b[start]) {
        start++;
    }
    let endA = a.length;
    let endB = b.length;
    while (endA > start && endB > start && a[endA - 1] === b[endB - 1]) {
        endA--;
        endB--;
    }
    const head: Edit[] = a.slice(0, start).map((line) => ({ op: " ", line }));
    const tail: Edit[] = a.slice(endA).map((line) => ({ op: " ", line }));
    const x = a.slice(start, endA);
    const y = b.slice(start, endB);
    const middle: Edit[] = [];
    if (x.length * y.length > MAX_CELLS) {
        middle.push(...x.map((line) => ({ op: "-" as const, line })), ...y.map((line) => ({ op: "+" as const, line })));
        return [...head, ...middle, ...tail];
    }
    const width = y.length + 1;
    const lcs = new Uint32Array((x.length + 1) * width);
    for (let i = x.length - 1; i >= 0; i--) {
        for (let j = y.length - 1; j >= 0; j--) {
            lcs[i * width + j] = x[i] === y[j] ? lcs[(i + 1) * width + j + 1] + 1 : Math.max(lcs[(i + 1) * width + j], lcs[i * width + j + 1]);
        }
    }
    let i = 0;
    let j = 0;
    while (i < x.length || j < y.length) {
        if (i < x.length && j < y.length && x[i] === y[j]) {
            middle.push({ op: " ", line: x[i++] });
            j++;
        } else if (i < x.length && (j === y.length || lcs[(i + 1) * width + j] >= lcs[i * width + j + 1])) {
            middle.push({ op: "-", line: x[i++] });
        } else {
            middle.push({ op: "+", line: y[j++] });
        }
    }
    return [...head, ...middle, ...tail];
}

const range = (start: number, count: number) => (count === 0 ? `${start},0` : count === 1 ? `${start + 1}` : `${start + 1},${count}`);

/**
 * The unified diff of `before` and `after` with `context` lines around each change, headed
 * `--- <fromName>` / `+++ <toName>`; the empty string when the texts are the same.
 */
export function unifiedDiff(before: string, after: string, fromName: string, toName: string, context = 3): string {
    if (before === after) {
        return "";
    }
    const script = edits(splitLines(before), splitLines(after));
    const changed = script.map((edit, index) => (edit.op === " " ? -1 : index)).filter((index) => index >= 0);
    const hunks: Array<[number, number]> = [];
    for (const index of changed) {
        const from = Math.max(0, index - context);
        const to = Math.min(script.length, index + context + 1);
        const last = hunks[hunks.length - 1];
        if (last && from <= last[1]) {
            last[1] = Math.max(last[1], to);
        } else {
            hunks.push([from, to]);
        }
    }
    const out = [`--- ${fromName}`, `+++ ${toName}`];
    for (const [from, to] of hunks) {
        const before = script.slice(0, from);
        const oldStart = before.filter((edit) => edit.op !== "+").length;
        const newStart = before.filter((edit) => edit.op !== "-").length;
        const hunk = script.slice(from, to);
        const oldCount = hunk.filter((edit) => edit.op !== "+").length;
        const newCount = hunk.filter((edit) => edit.op !== "-").length;
        out.push(`@@ -${range(oldStart, oldCount)} +${range(newStart, newCount)} @@`, ...hunk.map((edit) => edit.op + edit.line));
    }
    return out.join("\n") + "\n";
}
