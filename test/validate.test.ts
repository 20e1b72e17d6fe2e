import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import {
    assertValid,
    checkCidr,
    checkEcrRepositoryName,
    checkGoDuration,
    checkKubernetesLabelName,
    checkKubernetesName,
    checkSemverRange,
    checkUnique,
    InputValidationError,
    isAnywhereCidr,
} from "../components/validate.js";

describe("validate", () => {
    it("accepts Go durations Flux accepts and rejects prose", () => {
        for (const ok of ["30s", "5m", "1m", "1h30m", "500ms", "1.5h"]) {
            assert.equal(checkGoDuration("interval", ok), undefined, ok);
        }
        const problem = checkGoDuration("sync.interval", "30 seconds");
        assert.deepEqual(problem?.field, "sync.interval");
        assert.equal(problem?.value, "30 seconds");
        assert.match(problem!.rule, /Go duration.*30s/);
        for (const bad of ["", "30", "5 m", "1d", "-5m", "m5"]) {
            assert.notEqual(checkGoDuration("interval", bad), undefined, bad);
        }
    });

    it("checks Kubernetes names: subdomains for objects, labels for namespaces", () => {
        assert.equal(checkKubernetesName("name", "task-tool"), undefined);
        assert.equal(checkKubernetesName("name", "a.b-c"), undefined);
        assert.match(checkKubernetesName("name", "Task-Tool")!.rule, /RFC 1123 subdomain/);
        assert.notEqual(checkKubernetesName("name", "-x"), undefined);
        assert.notEqual(checkKubernetesName("name", "x".repeat(254)), undefined);
        assert.equal(checkKubernetesLabelName("namespace", "prod"), undefined);
        assert.match(checkKubernetesLabelName("namespace", "a.b")!.rule, /RFC 1123 label/);
        assert.notEqual(checkKubernetesLabelName("namespace", "x".repeat(64)), undefined);
    });

    it("checks ECR repository names", () => {
        for (const ok of ["mamezou-tech/task-service", "task_web", "a/b/c", "ab"]) {
            assert.equal(checkEcrRepositoryName("name", ok), undefined, ok);
        }
        for (const bad of ["Task", "a", "a//b", "-ab", "ab-", "a..b", "x".repeat(257)]) {
            assert.match(checkEcrRepositoryName("apps[0].name", bad)!.rule, /ECR repository name/, bad);
        }
    });

    it("checks semver ranges with the semver package", () => {
        assert.equal(checkSemverRange("policy", "1.1.x"), undefined);
        assert.equal(checkSemverRange("policy", ">=1.0.0 <2.0.0"), undefined);
        const problem = checkSemverRange("apps[0].semverRange", "1.1.x.y");
        assert.equal(problem?.value, "1.1.x.y");
        assert.match(problem!.rule, /semver range/);
        assert.notEqual(checkSemverRange("policy", ""), undefined);
        assert.notEqual(checkSemverRange("policy", "latest"), undefined);
    });

    it("checks CIDRs and recognises the anywhere ranges", () => {
        assert.equal(checkCidr("cidr", "10.0.0.0/16"), undefined);
        assert.equal(checkCidr("cidr", "2606:50c0::/32"), undefined);
        for (const bad of ["10.0.0.0", "10.0.0.0/33", "300.0.0.0/8", "::/129", "x/8"]) {
            assert.notEqual(checkCidr("cidr", bad), undefined, bad);
        }
        assert.equal(isAnywhereCidr("0.0.0.0/0"), true);
        assert.equal(isAnywhereCidr("::/0"), true);
        assert.equal(isAnywhereCidr("10.0.0.0/8"), false);
    });

    it("accepts every well-formed dotted CIDR and rejects out-of-range prefixes", () => {
        fc.assert(
            fc.property(fc.ipV4(), fc.integer({ min: 0, max: 40 }), (ip, prefix) => {
                const ok = checkCidr("cidr", `${ip}/${prefix}`) === undefined;
                return ok === prefix <= 32;
            }),
        );
    });

    it("reports duplicates with their index", () => {
        assert.deepEqual(checkUnique("apps", ["a", "b", "a"]), [
            { field: "apps[2]", value: "a", rule: "must be unique; it appears earlier in the list" },
        ]);
    });

    it("throws one error listing every problem with field, value and rule", () => {
        assert.throws(
            () =>
                assertValid("EksCluster mz-k8s", [
                    checkGoDuration("interval", "30 seconds"),
                    undefined,
                    checkSemverRange("policy", "1.1.x.y"),
                ]),
            (error: unknown) => {
                assert.ok(error instanceof InputValidationError);
                assert.equal(error.problems.length, 2);
                assert.match(error.message, /^EksCluster mz-k8s: invalid input/);
                assert.match(error.message, /interval = "30 seconds": must be a Go duration/);
                assert.match(error.message, /policy = "1.1.x.y": must be a semver range/);
                return true;
            },
        );
        assert.doesNotThrow(() => assertValid("ok", [undefined, []]));
    });
});
