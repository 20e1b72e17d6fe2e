import { strict as assert } from "node:assert";
import { semverConstraintProblem } from "../components/semver-constraint.js";

// Outcomes of github.com/Masterminds/semver/v3 v3.5.0 NewConstraint, the parser of Flux 2.9.0's
// image-reflector-controller, run on each string (a Go program fed the same list agreed on these
// and on 20,000 random strings of range characters).
const ACCEPTED = ["1.1.x", "^1.2.0", ">=1.0.0 <2.0.0", ">=1.0.0, <2.0.0", "1.2.3 - 2.3.4", "~>1.2", "!=1.2.3", "=>1.0", "x", "*", "1.x || >=2.5.0", "v1.2.3", "1.2.3-beta.1", "18446744073709551615", "1.2.3+build.01", ">= 1.2", "1.2.3\t<2", ">1.0.0 <2.0.0 || 3.x", "1.0.0 - 2.0.0 || 3.0.0 - 4.0.0", "1.0.0-2.0.0", "*.*.*", "1.*.3", "x.1.2", ">=1.0.0,<2.0.0", "1 2 3", "1,2", ">1 || <0 || =2", "1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1", " 1.2.3 ", "1.2.3 ,<2", "^0.0.x", "0.0.0", "00.1.2", "1.02.3", "1.2.03-0a"];
const REFUSED = ["", " ", "1.1.x.y", "1.2.3 -2.3.4", "1.2.3 ||", "|| 1.2", "1|2", "1x.2", "V1.2.3", "1.2.3-beta.01", "1.2-01", "1.x-01", "99999999999999999999", "18446744073709551616.0.0", "1.2.3+", "> = 1.2", "latest", "1.2.3\u000b<2", "1.2.3\u00a0", "1.2.3.4", ">=1.0.0,,<2.0.0", "^", "~", "=", ">=", "1.2.3-", "1.2.3-a..b", "1.2.3-a_b", "1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1||1", "1.2.3 - 1.2.3 - 1.2.3", "1.2.3-0a.00"];

describe("Flux's semver range grammar", () => {
    it("accepts what Masterminds/semver accepts", () => {
        for (const range of ACCEPTED) {
            assert.equal(semverConstraintProblem(range), undefined, JSON.stringify(range));
        }
    });

    it("refuses what Masterminds/semver refuses, including its length and group limits", () => {
        for (const range of [...REFUSED, "1".repeat(513), Array(33).fill("1").join("||")]) {
            assert.notEqual(semverConstraintProblem(range), undefined, JSON.stringify(range));
        }
        assert.equal(semverConstraintProblem(Array(32).fill("1").join("||")), undefined);
    });
});
