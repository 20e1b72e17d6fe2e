import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import * as os from "node:os";
import * as path from "node:path";
import { PLAN_MARKER, planOutputProblem } from "../stack/plan-output.js";

describe("plan output folder", () => {
    const root = fs.mkdtempSync(path.join(os.tmpdir(), "plan-output-"));
    const project = path.join(root, "home", "me", "project");
    const home = path.join(root, "home", "me");
    fs.mkdirSync(path.join(project, ".git"), { recursive: true });
    after(() => fs.rmSync(root, { recursive: true, force: true }));

    it("may write a new folder or replace one a plan wrote", () => {
        assert.equal(planOutputProblem(path.join(project, "plan"), project, home), undefined);
        const previous = path.join(project, "old-plan");
        fs.mkdirSync(previous);
        fs.writeFileSync(path.join(previous, PLAN_MARKER), "");
        fs.writeFileSync(path.join(previous, "resources.json"), "[]");
        assert.equal(planOutputProblem(previous, project, home), undefined);
        const empty = path.join(project, "empty");
        fs.mkdirSync(empty);
        assert.equal(planOutputProblem(empty, project, home), undefined);
    });

    it("refuses the project, its parents, home and the filesystem root", () => {
        assert.match(planOutputProblem(project, project, home)!, /which is or holds the project/);
        assert.match(planOutputProblem(path.join(project, "."), project, home)!, /which is or holds the project/);
        assert.match(planOutputProblem(path.dirname(root), project, home)!, /which is or holds the project/);
        assert.match(planOutputProblem(path.parse(root).root, project, home)!, /which is or holds the project/);
        const elsewhere = path.join(root, "elsewhere");
        assert.match(planOutputProblem(home, elsewhere, home)!, /which is or holds your home folder/);
    });

    it("refuses a folder with files no plan wrote, and a file", () => {
        const source = path.join(project, "src");
        fs.mkdirSync(source);
        fs.writeFileSync(path.join(source, "index.ts"), "");
        assert.match(planOutputProblem(source, project, home)!, /is not empty and was not written by a plan \(no \.eks-flux-gitops-plan\)/);
        assert.match(planOutputProblem(path.join(source, "index.ts"), project, home)!, /is a file, not a plan folder/);
        assert.ok(fs.existsSync(path.join(source, "index.ts")));
    });
});
