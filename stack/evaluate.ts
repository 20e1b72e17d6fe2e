import * as path from "node:path";
import { pathToFileURL } from "node:url";
import * as pulumi from "@pulumi/pulumi";
import { MockCloud, settled, useMockCloud, type MockCloudOptions } from "../testing/mock-cloud.js";
import { toRuntimeConfig } from "./project-config.js";

export interface Evaluation {
    cloud: MockCloud;
    /** The stack's exports, resolved; secret ones are flagged in `secretOutputs`. */
    outputs: Record<string, unknown>;
    secretOutputs: string[];
}

async function resolve(value: unknown): Promise<{ value: unknown; secret: boolean }> {
    const output: pulumi.Output<unknown> = pulumi.output(value as pulumi.Input<unknown>);
    const secret = await pulumi.isSecret(output);
    const resolved = await new Promise<unknown>((done) => output.apply((v) => done(v)));
    return { value: resolved, secret };
}

// ES modules run once per URL; a fresh query makes each evaluation run the program again.
let evaluations = 0;

/**
 * Runs the stack program at `programPath` under Pulumi's mock mode, the way `pulumi preview` runs it,
 * with the given stack config. Throws what the program throws (e.g. an InputValidationError for bad
 * config) before anything is recorded. `cloud` adds or replaces mock outputs (a StackReference's).
 */
export async function evaluateStack(
    programPath: string,
    project: string,
    stack: string,
    config: Record<string, unknown>,
    githubOwner: string,
    cloud: Omit<MockCloudOptions, "githubOwner"> = {},
): Promise<Evaluation> {
    const mock = await useMockCloud(new MockCloud({ ...cloud, githubOwner }), project, stack);
    pulumi.runtime.setAllConfig(toRuntimeConfig(config), []);
    // The module's exports themselves, not the stack's serialized copy, so secretness is kept.
    let exported: Record<string, unknown> = {};
    await pulumi.runtime.runInPulumiStack(async () => {
        exported = { ...((await import(`${pathToFileURL(path.resolve(programPath)).href}?evaluation=${++evaluations}`)) as Record<string, unknown>) };
        return exported;
    });
    await settled(mock);
    const outputs: Record<string, unknown> = {};
    const secretOutputs: string[] = [];
    for (const [key, value] of Object.entries(exported)) {
        const { value: resolved, secret } = await resolve(value);
        outputs[key] = resolved;
        if (secret) {
            secretOutputs.push(key);
        }
    }
    return { cloud: mock, outputs, secretOutputs };
}
