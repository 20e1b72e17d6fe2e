import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { fileURLToPath } from "node:url";
import { ConfigFileError, configValueProblem, loadProjectConfig } from "../stack/project-config.js";

const projectDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");

/** A copy of the project's Pulumi.yaml with one stack file of the given text. */
function projectWithStack(text: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), "project-config-"));
    fs.copyFileSync(path.join(projectDir, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
    fs.writeFileSync(path.join(dir, "Pulumi.dev.yaml"), text);
    return dir;
}

function loadError(text: string): string {
    const dir = projectWithStack(text);
    try {
        loadProjectConfig(dir, "dev");
    } catch (error) {
        assert.ok(error instanceof ConfigFileError, String(error));
        assert.doesNotMatch(error.message, /\n\s+at /, "no stack trace");
        return error.message;
    } finally {
        fs.rmSync(dir, { recursive: true, force: true });
    }
    return assert.fail("expected a ConfigFileError");
}

describe("stack config files", () => {
    it("reads a well-formed stack file over the project's defaults", () => {
        const dir = projectWithStack("config:\n  eks-flux-gitops:nodeMinSize: 3\n  eks-flux-gitops:nodeMaxSize: \"5\"\n  aws:region: eu-west-1\n");
        const { values } = loadProjectConfig(dir, "dev");
        assert.equal(values["eks-flux-gitops:nodeMinSize"], 3);
        assert.equal(values["eks-flux-gitops:nodeMaxSize"], "5");
        assert.equal(values["eks-flux-gitops:clusterName"], "mz-k8s");
        assert.equal(values["aws:region"], "eu-west-1");
        fs.rmSync(dir, { recursive: true, force: true });
    });

    it("refuses YAML that does not parse, naming the file", () => {
        assert.match(loadError("config:\n  eks-flux-gitops:apps: [task-service\n"), /^Pulumi\.dev\.yaml is not valid YAML: /);
    });

    it("refuses a config section that is not a map, and a file that is not one", () => {
        assert.equal(loadError("config:\n  - eks-flux-gitops:apps\n"), 'Pulumi.dev.yaml: config must be a map of key: value, not ["eks-flux-gitops:apps"]');
        assert.equal(loadError("just text\n"), "Pulumi.dev.yaml must be a map with a config: section");
    });

    it("refuses a key of the project that Pulumi.yaml does not declare, as Pulumi does", () => {
        assert.match(loadError("config:\n  eks-flux-gitops:clustrName: other\n"), /^Pulumi\.dev\.yaml: stack dev sets eks-flux-gitops:clustrName, which Pulumi\.yaml does not declare \(declared keys: githubOwner, /);
    });

    it("refuses a value of another type than declared, one line per key", () => {
        const message = loadError("config:\n  eks-flux-gitops:nodeMinSize: two\n  eks-flux-gitops:apps: task-service\n  eks-flux-gitops:imageAutomation: yes-please\n");
        assert.deepEqual(message.split("\n"), [
            'Pulumi.dev.yaml: stack dev sets eks-flux-gitops:nodeMinSize = "two", which must be of type integer as Pulumi.yaml declares it',
            'Pulumi.dev.yaml: stack dev sets eks-flux-gitops:apps = "task-service", which must be of type array of string as Pulumi.yaml declares it',
            'Pulumi.dev.yaml: stack dev sets eks-flux-gitops:imageAutomation = "yes-please", which must be of type boolean as Pulumi.yaml declares it',
        ]);
    });

    it("refuses a stack that has no file, listing the stacks", () => {
        assert.throws(() => loadProjectConfig(projectDir, "staging"), (error: Error) => error.message === 'no stack "staging" (no file Pulumi.staging.yaml): stacks here are prod');
    });

    it("leaves keys of other namespaces to their providers", () => {
        const config = loadProjectConfig(projectDir, "prod");
        assert.equal(configValueProblem(config, "prod", "aws:profile", "work"), undefined);
        assert.equal(configValueProblem(config, "prod", "eks-flux-gitops:apps", ["a", 1]), 'stack prod sets eks-flux-gitops:apps = ["a",1], which must be of type array of string as Pulumi.yaml declares it');
    });
});
