import { sleep, waitFor, type ProcessGroup } from "./processes.js";

/** Milliseconds since `since` at which each named step of one delivery was first seen. */
export type Timeline = Record<string, number>;

/**
 * Follows one delivery, polling every 100 ms, until `steps` have all been seen in order; each step's
 * probe may use what the earlier steps saw. Returns when each step was first seen.
 */
export async function follow(group: ProcessGroup, what: string, since: number, timeoutMs: number, steps: Array<[string, () => Promise<boolean>]>): Promise<Timeline> {
    const seen: Timeline = {};
    let next = 0;
    await waitFor(what, timeoutMs, async () => {
        while (next < steps.length && (await steps[next][1]())) {
            seen[steps[next][0]] = Date.now() - since;
            next += 1;
        }
        return next === steps.length ? true : undefined;
    }, async () => `seen so far: ${JSON.stringify(seen)}`, group, 100);
    return seen;
}

/** p50 (the lower middle value) and max of some measurements. */
export function p50AndMax(values: number[]): { p50: number; max: number } {
    const sorted = [...values].sort((a, b) => a - b);
    return { p50: sorted[Math.floor((sorted.length - 1) / 2)], max: sorted[sorted.length - 1] };
}

/** p50 and max of each step over several timelines, in seconds. */
export function summarize(timelines: Timeline[]): Record<string, { p50: number; max: number }> {
    const steps = Object.keys(timelines[0]);
    return Object.fromEntries(
        steps.map((step) => {
            const { p50, max } = p50AndMax(timelines.map((t) => t[step]));
            return [step, { p50: Math.round(p50) / 1000, max: Math.round(max) / 1000 }];
        }),
    );
}

/** Runs `action` while taking `probe` every 100 ms; returns its result and every sample taken. */
export async function sampleDuring<R, S>(action: () => Promise<R>, probe: () => Promise<S>): Promise<{ result: R; samples: S[] }> {
    let finished = false;
    const samples: S[] = [];
    const sampling = (async () => {
        while (!finished) {
            samples.push(await probe());
            await sleep(100);
        }
    })();
    const result = await action().finally(() => {
        finished = true;
    });
    await sampling;
    return { result, samples };
}
