import { strict as assert } from "node:assert";
import { InputValidationError } from "../components/validate.js";

/** Runs `fn`, which must throw an InputValidationError, and returns its problems as `field = value: rule` lines. */
export function validationProblems(fn: () => unknown): string[] {
    try {
        fn();
    } catch (error) {
        assert.ok(error instanceof InputValidationError, String(error));
        return error.problems.map((p) => `${p.field} = ${JSON.stringify(p.value)}: ${p.rule}`);
    }
    return assert.fail("expected an InputValidationError");
}
