import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { assertCommentNames, COMMENT_MARKER, previewComment } from "../stack/preview-comment.js";
import { countsLine, fieldChanges, previewCounts, stripAnsi } from "../stack/preview-diff.js";
import { findSecrets, redact } from "../stack/redaction.js";
import { unifiedDiff } from "../stack/unified-diff.js";

// Written by hand in the display format of `pulumi preview --diff` (colours included in the first);
// replace them with the lab's real engine output where they differ.
const fixture = (name: string) => fs.readFileSync(new URL(`fixtures/${name}`, import.meta.url), "utf8");
const rangeChange = fixture("preview-range-change.txt");
const receiverToken = fixture("preview-receiver-token.txt");

const TOKEN = "3f9c1be07a4d46e2b8a51c0d9e7f6a2b4c8d0e1f3a5b7c9d";
// A throwaway ed25519 key in OpenSSH's format, made for this test only.
const OPENSSH_KEY = [
    "-----BEGIN OPENSSH PRIVATE KEY-----",
    "b3BlbnNzaC1rZXktdjEAAAAABG5vbmUAAAAEbm9uZQAAAAAAAAABAAAAMwAAAAtzc2gtZW",
    "QyNTUxOQAAACBvE6Qm0b9yVx3J5u9xg0m3f2kZ7bYd7c0u5lKqJ8mX8QAAAJgAAAAAAAAA",
    "AAAAAAtzc2gtZWQyNTUxOQAAACBvE6Qm0b9yVx3J5u9xg0m3f2kZ7bYd7c0u5lKqJ8mX8Q",
    "-----END OPENSSH PRIVATE KEY-----",
].join("\n");

const BASE_RENDER = "apiVersion: apps/v1\nkind: Deployment\nmetadata:\n  name: prod-task-service\nspec:\n  template:\n    spec:\n      containers:\n      - image: 127.0.0.1:5000/mamezou-tech/task-service:1.1.1\n        name: task-service\n";
const HEAD_RENDER = BASE_RENDER.replace("task-service:1.1.1", "task-service:1.2.0");
const flux = (head = HEAD_RENDER) => ({ path: "app/overlays/prod", base: { ref: "1a2b3c4", render: BASE_RENDER }, head: { ref: "5d6e7f8", render: head } });

describe("preview comment", () => {
    describe("reading pulumi preview --diff", () => {
        it("strips colours and carriage-return progress", () => {
            const plain = stripAnsi(rangeChange);
            assert.doesNotMatch(plain, /\u001b/);
            assert.match(plain, /^ {18}~ range: "1\.1\.x" => "1\.2\.x"$/m);
            assert.equal(stripAnsi("Previewing...\rdone  \r\nnext"), "done\nnext");
        });

        it("reads the summary's counts", () => {
            assert.deepEqual(previewCounts(rangeChange), { update: 1, unchanged: 43 });
            const mixed = "Resources:\n    + 2 to create\n    ~ 1 to update\n    +-1 to replace\n    - 3 to delete\n    6 changes. 30 unchanged\n\n";
            assert.deepEqual(previewCounts(mixed), { create: 2, update: 1, replace: 1, delete: 3, unchanged: 30 });
            assert.equal(countsLine(previewCounts(mixed)), "2 to create, 1 to update, 1 to replace, 3 to delete, 30 unchanged");
            assert.equal(countsLine({ unchanged: 5 }), "no changes, 5 unchanged");
            assert.deepEqual(previewCounts("error: preview failed\n"), {});
        });

        it("names each changed field with its path, resource and values", () => {
            assert.deepEqual(fieldChanges(rangeChange), [
                {
                    resourceType: "kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy",
                    name: "lab-images-task-service-policy",
                    op: "update",
                    field: "spec.policy.semver.range",
                    old: "1.1.x",
                    new: "1.2.x",
                },
            ]);
            const [token] = fieldChanges(receiverToken);
            assert.deepEqual(token, { resourceType: "kubernetes:core/v1:Secret", name: "lab-receiver-token", op: "update", field: "stringData.token", old: "[secret]", new: "[secret]" });
            assert.equal(fieldChanges(receiverToken).length, 1, "the stack's outputs are not a resource's fields");
        });
    });

    describe("redaction", () => {
        it("replaces every occurrence of a given secret and says how many", () => {
            const { text, redactions } = redact(`token ${TOKEN} and again ${TOKEN}.`, [TOKEN]);
            assert.equal(text, "token [secret] and again [secret].");
            assert.equal(redactions, 2);
            assert.deepEqual(findSecrets(text, [TOKEN]), []);
            assert.deepEqual(findSecrets(`x ${TOKEN}`, ["not-this-one-at-all", TOKEN]), ["secret #2"]);
        });

        it("finds a multi-line secret printed line by line, naming the line and not the value", () => {
            const printed = OPENSSH_KEY.split("\n").map((line) => `        + ${line}`).join("\n");
            const found = findSecrets(printed.split("\n").slice(1, 3).join("\n"), [OPENSSH_KEY]);
            assert.deepEqual(found, ["secret #1 (line 2 of it)", "secret #1 (line 3 of it)"]);
            assert.ok(found.every((where) => !where.includes("b3BlbnNz")));
        });

        it("redacts OpenSSH and PEM private-key blocks nobody listed", () => {
            const pem = "-----BEGIN RSA PRIVATE KEY-----\nMIIEowIBAAKCAQEA\n-----END RSA PRIVATE KEY-----";
            const { text, redactions } = redact(`key: ${OPENSSH_KEY}\nother: ${pem}\npublic: ssh-ed25519 AAAAC3Nz`, []);
            assert.equal(text, "key: [secret]\nother: [secret]\npublic: ssh-ed25519 AAAAC3Nz");
            assert.equal(redactions, 2);
            assert.equal(redact("-----BEGIN OPENSSH PRIVATE KEY-----\nb3Blbn (cut off)", []).text, "[secret]");
        });

        it("redacts kubeconfig credential fields but leaves Pulumi's placeholders", () => {
            const kubeconfig = 'users:\n- name: lab\n  user:\n    token: abc.def-ghi\n    client-key-data: LS0tLS1CRUdJTg==\n{"password":"hunter2hunter2"}';
            const { text, redactions } = redact(kubeconfig, []);
            assert.equal(text, 'users:\n- name: lab\n  user:\n    token: [secret]\n    client-key-data: [secret]\n{"password":"[secret]"}');
            assert.equal(redactions, 3);
            assert.equal(redact('  ~ token: "old-value" => "new-value"', []).text, '  ~ token: "[secret]" => "[secret]"');
            const masked = "  ~ token: [secret] => [secret]\n  + token: output<string>\n  tokenSecretRef: x";
            assert.deepEqual(redact(masked, []), { text: masked, redactions: 0 });
        });

        it("refuses a secret too short to redact, without showing it", () => {
            assert.throws(() => redact("text", ["abc"]), (error: Error) => /secret #1 is shorter than 8/.test(error.message) && !error.message.includes("abc"));
        });
    });

    describe("unified diff", () => {
        it("is empty for the same text and shows each change with context", () => {
            assert.equal(unifiedDiff("a\nb\n", "a\nb\n", "x", "y"), "");
            assert.equal(unifiedDiff("a\nb\nc\n", "a\nB\nc\n", "base", "head", 1), "--- base\n+++ head\n@@ -1,3 +1,3 @@\n a\n-b\n+B\n c\n");
            assert.equal(unifiedDiff("", "new\n", "base", "head"), "--- base\n+++ head\n@@ -0,0 +1 @@\n+new\n");
        });

        it("keeps far-apart changes in separate hunks", () => {
            const before = Array.from({ length: 20 }, (_, i) => `line ${i}`).join("\n");
            const after = before.replace("line 2", "LINE 2").replace("line 17", "LINE 17");
            const diff = unifiedDiff(before, after, "a", "b", 2);
            assert.deepEqual(diff.split("\n").filter((line) => line.startsWith("@@")), ["@@ -1,5 +1,5 @@", "@@ -16,5 +16,5 @@"]);
        });
    });

    describe("the body", () => {
        it("holds the marker, the counts, the diff and what Flux will apply", () => {
            const comment = previewComment({ output: rangeChange, stack: "lab", secrets: [TOKEN], flux: flux() });
            const { body } = comment;
            assert.ok(body.startsWith(`${COMMENT_MARKER}\n`));
            assert.match(body, /^\*\*Plan:\*\* 1 to update, 43 unchanged$/m);
            assert.match(body, /^```diff\nPreviewing update \(lab\):$/m);
            assert.match(body, /^~ {19}range: "1\.1\.x" => "1\.2\.x"$/m, "the step marker moved to the margin for GitHub's highlighting");
            assert.doesNotMatch(body, /\u001b/);
            assert.match(body, /^#### What Flux will apply$/m);
            assert.match(body, /^--- 1a2b3c4\/app\/overlays\/prod\n\+\+\+ 5d6e7f8\/app\/overlays\/prod$/m);
            assert.match(body, /^-      - image: 127\.0\.0\.1:5000\/mamezou-tech\/task-service:1\.1\.1\n\+      - image: 127\.0\.0\.1:5000\/mamezou-tech\/task-service:1\.2\.0$/m);
            assert.equal(comment.fluxChangedLines, 2);
            assert.equal(comment.redactions, 0);
            assert.deepEqual(comment.counts, { update: 1, unchanged: 43 });
        });

        it("says so when the sync path renders the same", () => {
            const comment = previewComment({ output: rangeChange, stack: "lab", secrets: [], flux: flux(BASE_RENDER) });
            assert.match(comment.body, /renders the same at the config repository's base \(`1a2b3c4`\) and head \(`5d6e7f8`\): Flux applies nothing new/);
            assert.equal(comment.fluxChangedLines, 0);
            assert.doesNotMatch(previewComment({ output: rangeChange, stack: "lab", secrets: [] }).body, /What Flux will apply/);
        });

        it("redacts a planted token and private key from the preview and the render, and says it did", () => {
            const planted = rangeChange.replace("Resources:", `    warning: token ${TOKEN}\n${OPENSSH_KEY}\nResources:`);
            const comment = previewComment({ output: planted, stack: "lab", secrets: [TOKEN], flux: flux(HEAD_RENDER + `  token: ${TOKEN}\n`) });
            assert.equal(comment.redactions, 3);
            assert.deepEqual(findSecrets(comment.body, [TOKEN, OPENSSH_KEY]), []);
            assert.doesNotMatch(comment.body, /BEGIN OPENSSH PRIVATE KEY/);
            assert.match(comment.body, /_3 value\(s\) that looked secret were replaced by `\[secret\]` before posting\._/);
        });

        it("reports a failed preview and stays under GitHub's size limit", () => {
            const long = `${"x".repeat(100)}\n`.repeat(2000);
            const comment = previewComment({ output: `error: boom\n${long}`, exitCode: 255, stack: "prod", secrets: [], maxLength: 20_000 });
            assert.match(comment.body, /\*\*The preview failed\*\* \(exit code 255\)/);
            assert.ok(comment.body.length <= 20_000, `${comment.body.length} characters`);
            assert.match(comment.body, /… \(truncated: \d+ more characters in the workflow's log\)/);
        });

        it("fences output that holds backticks", () => {
            const body = previewComment({ output: "```\nResources:\n    1 unchanged\n", stack: "lab", secrets: [] }).body;
            assert.match(body, /^````diff$/m);
        });
    });

    describe("assertCommentNames", () => {
        const body = previewComment({ output: rangeChange, stack: "lab", secrets: [] }).body;

        it("finds the field by its path or its last key", () => {
            const range = { resourceType: "kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy", field: "spec.policy.semver.range", old: "1.1.x", new: "1.2.x" };
            assert.equal(assertCommentNames(body, range).name, "lab-images-task-service-policy");
            assert.equal(assertCommentNames(body, { ...range, field: "range" }).field, "spec.policy.semver.range");
            const secretBody = previewComment({ output: receiverToken, stack: "lab", secrets: [] }).body;
            assertCommentNames(secretBody, { resourceType: "kubernetes:core/v1:Secret", field: "stringData.token", old: "[secret]", new: "[secret]" });
        });

        it("fails on a wrong value, field or resource, listing what the comment names", () => {
            const range = { resourceType: "kubernetes:image.toolkit.fluxcd.io/v1:ImagePolicy", field: "range", old: "1.1.x", new: "1.3.x" };
            assert.throws(() => assertCommentNames(body, range), /does not name .*ImagePolicy range: "1\.1\.x" => "1\.3\.x"; it names lab-images-task-service-policy spec\.policy\.semver\.range: 1\.1\.x => 1\.2\.x/);
            assert.throws(() => assertCommentNames(body, { ...range, new: "1.2.x", field: "interval" }), /does not name/);
            assert.throws(() => assertCommentNames(body, { ...range, new: "1.2.x", resourceType: "kubernetes:core/v1:Secret" }), /names no changed field of that type/);
            assert.throws(() => assertCommentNames(body, { ...range, new: "1.2.x", name: "other-policy" }), /does not name/);
        });
    });
});
