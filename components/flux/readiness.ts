import { checkGoDuration, type Problem } from "../validate.js";

/**
 * Annotations that make Pulumi's Kubernetes provider wait until Flux reports the object Ready, and
 * fail the update with Flux's own message once `timeout` passes, so `pulumi up` never reports
 * success before Flux does.
 */
export function readinessAnnotations(timeout: string): Record<string, string> {
    return {
        "pulumi.com/waitFor": "condition=Ready",
        "pulumi.com/timeoutSeconds": String(durationSeconds(timeout)),
    };
}

/** Seconds of a Go duration such as 5m, 90s or 1h30m (rounded up). */
export function durationSeconds(duration: string): number {
    const units: Record<string, number> = { ms: 0.001, s: 1, m: 60, h: 3600 };
    let total = 0;
    for (const [, amount, unit] of duration.matchAll(/([0-9]+(?:\.[0-9]+)?)(ms|s|m|h)/g)) {
        total += Number(amount) * units[unit];
    }
    return Math.ceil(total);
}

export function checkReadyTimeout(field: string, timeout: string): Problem | undefined {
    return checkGoDuration(field, timeout) ?? (durationSeconds(timeout) < 1 ? { field, value: timeout, rule: "must be at least 1s" } : undefined);
}
