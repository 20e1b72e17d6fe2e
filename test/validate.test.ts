import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import {
    assertValid,
    checkCidr,
    checkEcrRepositoryName,
    checkGitBranch,
    checkGoDuration,
    checkKubernetesLabelName,
    checkKubernetesServiceName,
    describeCoverage,
    durationNanoseconds,
    familiesCoveredEntirely,
    checkKubernetesName,
    checkSemverRange,
    checkUnique,
    formatProblem,
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

    it("refuses durations Go cannot hold and zero intervals", () => {
        assert.equal(checkGoDuration("interval", "2562047h47m16.854775807s"), undefined);
        assert.equal(checkGoDuration("interval", "2562047h47m16.854775808s")?.rule, "is longer than Go's largest duration (2562047h47m16.854775807s); Flux cannot parse it");
        assert.match(checkGoDuration("interval", "9999999999h")!.rule, /longer than Go's largest duration/);
        for (const zero of ["0s", "0m0s", "0.0h"]) {
            assert.equal(checkGoDuration("interval", zero)?.rule, "must be longer than zero: Flux runs intervals and timeouts of 0 in a loop or not at all", zero);
        }
        assert.equal(durationNanoseconds("1h30m0.5s"), 5_400_500_000_000n);
    });

    it("checks branch names as git check-ref-format --branch does", () => {
        for (const ok of ["main", "feature/x", "release-1.2", "a@b", "x.lock.y", "refs/heads/x"]) {
            assert.equal(checkGitBranch("branch", ok), undefined, ok);
        }
        const rules: Array<[string, string]> = [
            ["HEAD", "is HEAD, which git reads as the current commit, not as a branch"],
            ["@", "is @, which git reads as the current commit, not as a branch"],
            ["-x", "starts with '-', which git refuses as a branch name (it reads as an option)"],
            ["a b", "contains a space, a control character or one of ~ ^ : ? * [ \\"],
            ["a~1", "contains a space, a control character or one of ~ ^ : ? * [ \\"],
            ["a..b", "contains '..' or '@{'"],
            ["a@{1}", "contains '..' or '@{'"],
            ["a//b", "starts or ends with '/' or contains '//'"],
            ["a/", "starts or ends with '/' or contains '//'"],
            ["a.", "ends with '.'"],
            [".hidden", "has a '/'-separated part that starts with '.' or ends with '.lock'"],
            ["x/.y", "has a '/'-separated part that starts with '.' or ends with '.lock'"],
            ["a.lock/b", "has a '/'-separated part that starts with '.' or ends with '.lock'"],
        ];
        for (const [name, rule] of rules) {
            assert.equal(checkGitBranch("branch", name)?.rule, `must be a Git branch name (git check-ref-format --branch): it ${rule}`, name);
        }
    });

    it("checks Service names as RFC 1035 labels", () => {
        assert.equal(checkKubernetesServiceName("name", "prod-task-service"), undefined);
        assert.match(checkKubernetesServiceName("name", `prod-${"a".repeat(59)}`)!.rule, /must be an RFC 1035 label: at most 63/);
        assert.notEqual(checkKubernetesServiceName("name", "1-web"), undefined);
    });

    it("sees split CIDRs that together cover every address", () => {
        assert.deepEqual(familiesCoveredEntirely(["0.0.0.0/1", "128.0.0.0/1"]), [4]);
        assert.deepEqual(familiesCoveredEntirely(["0.0.0.0/2", "64.0.0.0/2", "128.0.0.0/1", "::/1", "8000::/1"]), [4, 6]);
        assert.deepEqual(familiesCoveredEntirely(["0.0.0.0/1", "128.0.0.0/2", "192.0.0.0/3", "224.0.0.0/3"]), [4]);
        assert.deepEqual(familiesCoveredEntirely(["0.0.0.0/1", "128.0.0.0/2", "224.0.0.0/3"]), []);
        assert.deepEqual(familiesCoveredEntirely(["203.0.113.0/24", "::ffff:0:0/96"]), []);
        assert.deepEqual(familiesCoveredEntirely(["0.0.0.0/0"]), [4]);
        assert.deepEqual(familiesCoveredEntirely(["128.0.0.1/1", "1.2.3.4/1"]), [4], "host bits are ignored, as AWS masks them");
        assert.equal(describeCoverage([4, 6]), "every IPv4 address and every IPv6 address");
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

    it("checks semver ranges with Flux's grammar, and that npm's semver reads them", () => {
        for (const ok of ["1.1.x", ">=1.0.0 <2.0.0", "^1.2.0", "~>1.2", "1.2.3 - 2.3.4", "1.x || >=2.5.0", "*"]) {
            assert.equal(checkSemverRange("policy", ok), undefined, ok);
        }
        const problem = checkSemverRange("apps[0].semverRange", "1.1.x.y");
        assert.equal(problem?.value, "1.1.x.y");
        assert.equal(problem?.rule, `must be a semver range such as 1.1.x, ^1.2.0 or >=1.0.0 <2.0.0; Flux's image-reflector-controller refuses this one: it has an improper constraint "1.1.x.y"`);
        const refusedByFlux: Array<[string, string]> = [
            ["", 'has an improper constraint ""'],
            ["1.2.3 ||", 'has an improper constraint ""'],
            ["V1.2.3", 'has an improper constraint "V1.2.3"'],
            ["1.2.3-beta.01", "has a pre-release part 01 that starts with 0"],
            ["18446744073709551616.0.0", "has a version part 18446744073709551616 larger than 18446744073709551615"],
            ["1x.2", 'has "1x.2.0", which is not a version (each part must be digits, x or *)'],
            ["1".repeat(513), "is longer than 512 characters"],
            [Array(33).fill("1").join("||"), "has more than 32 alternatives joined by ||"],
        ];
        for (const [range, reason] of refusedByFlux) {
            assert.equal(checkSemverRange("policy", range)?.rule.split("refuses this one: it ")[1], reason, range);
        }
        assert.match(checkSemverRange("policy", ">=1.0.0, <2.0.0")!.rule, /^is a range Flux reads but npm's semver does not/);
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

    it("never prints a secret value, whatever shape it comes in", () => {
        const pem = "-----BEGIN OPENSSH PRIVATE KEY-----\nb3BlbnNzaC1rZXk\n-----END OPENSSH PRIVATE KEY-----\n";
        const values: unknown[] = [pem, Buffer.from(pem), { key: pem }, { ...Buffer.from(pem) }, new Uint8Array(Buffer.from(pem))];
        for (const value of values) {
            const message = new InputValidationError("GitSource s", [{ field: "privateKey", value, rule: "must be text" }]).message;
            assert.equal(message, "GitSource s: invalid input\n  - privateKey = [secret]: must be text");
        }
        assert.equal(formatProblem({ field: "token", value: "plain-looking", rule: "is bad", secret: true }), "token = [secret]: is bad");
        assert.equal(formatProblem({ field: "branch", value: "main branch", rule: "is bad" }), 'branch = "main branch": is bad');
    });
});
