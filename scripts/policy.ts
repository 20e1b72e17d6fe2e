/**
 * `npm run policy -- [--plan DIR] [--config FILE]`: runs the guardrails pack (policy/) on an offline
 * plan without the Pulumi CLI. Without --plan it first makes a plan of the prod stack with secret
 * values shown, so rules that read known_hosts can check it, in a private temporary folder removed
 * when the check ends. Prints each
 * violation with its rule and resource; exits 1 on any mandatory one.
 */
import { execFileSync } from "node:child_process";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { subjectsFromPlan } from "../policy/plan-subjects.js";
import { allRules } from "../policy/rules/index.js";
import { ruleSettings, runRules, unknownRuleNames, type PackConfig } from "../policy/run.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
const { values: flags } = parseArgs({
    options: {
        plan: { type: "string" },
        config: { type: "string" },
        stack: { type: "string", default: "prod" },
    },
});

let planDir = flags.plan ? path.resolve(flags.plan) : "";
if (!planDir) {
    // mkdtemp makes the folder readable by its owner only; the plan inside holds secrets in clear.
    const privateDir = fs.mkdtempSync(path.join(os.tmpdir(), "eks-flux-gitops-policy-"));
    process.on("exit", () => fs.rmSync(privateDir, { recursive: true, force: true }));
    process.on("SIGINT", () => process.exit(130));
    planDir = path.join(privateDir, "plan");
    execFileSync(
        process.execPath,
        ["--import", "tsx", path.join(projectDir, "scripts/plan.ts"), "--stack", flags.stack!, "--out", planDir, "--show-secrets", "--quiet"],
        { cwd: projectDir, stdio: "inherit" },
    );
}

const config = (flags.config ? JSON.parse(fs.readFileSync(flags.config, "utf8")) : {}) as PackConfig;
const unknown = unknownRuleNames(config);
if (unknown.length > 0) {
    console.error(`policy config names no rule of this pack: ${unknown.join(", ")}\nrules: ${allRules.map((r) => r.name).join(", ")}`);
    process.exit(2);
}

const subjects = subjectsFromPlan(planDir);
const violations = runRules(subjects, config);
for (const rule of allRules) {
    const { level } = ruleSettings(config, rule);
    const mine = violations.filter((v) => v.rule === rule.name);
    const status = level === "disabled" ? "disabled" : mine.length === 0 ? "pass" : `${mine.length} violation(s), ${level}`;
    console.log(`${status === "pass" ? "ok  " : level === "disabled" ? "off " : "FAIL"} ${rule.name}: ${status}`);
    for (const violation of mine) {
        console.log(`       ${violation.urn}\n       ${violation.message}`);
    }
}
const mandatory = violations.filter((v) => v.level === "mandatory");
console.log(
    `\n${allRules.length} rules on ${subjects.length} resources of ${path.relative(process.cwd(), planDir) || "."}: ` +
        `${mandatory.length} mandatory and ${violations.length - mandatory.length} advisory violation(s)`,
);
process.exitCode = mandatory.length > 0 ? 1 : 0;
