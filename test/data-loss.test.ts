import { strict as assert } from "node:assert";
import { dataLosses } from "../stack/data-loss.js";
import type { PlanResource } from "../stack/plan-report.js";

function resource(type: string, name: string, inputs: Record<string, unknown>): PlanResource {
    return {
        urn: `urn:pulumi:prod::p::${type}::${name}`,
        type,
        name,
        dependencies: [],
        options: { protect: true, retainOnDelete: false, ignoreChanges: [] } as never,
        secretPaths: [],
        inputs,
    };
}

describe("data loss between two plans", () => {
    const repository = resource("github:index/repository:Repository", "config-repository", { name: "cluster-config" });
    const registry = resource("aws:ecr/repository:Repository", "registry-web", { name: "acme/web", scanOnPush: true });
    const bucket = resource("aws:ec2/vpc:Vpc", "vpc", { cidrBlock: "10.0.0.0/16" });

    it("says nothing when data holders stay or change in place", () => {
        const renamed = { ...repository, inputs: { name: "renamed-config" } };
        const rescanned = { ...registry, inputs: { ...registry.inputs, scanOnPush: false } };
        assert.deepEqual(dataLosses([repository, registry, bucket], [renamed, rescanned]), []);
    });

    it("names a deleted repository and a replaced registry, with what they hold and the way on", () => {
        const moved = { ...registry, inputs: { ...registry.inputs, name: "other/web" } };
        const losses = dataLosses([repository, registry], [moved]);
        assert.equal(losses.length, 2);
        assert.match(losses[0], /^would delete GitHub repository cluster-config \(urn:pulumi:prod::p::github:index\/repository:Repository::config-repository\), losing its Git history/);
        assert.match(losses[1], /^would replace ECR repository acme\/web \(name: "acme\/web" -> "other\/web"; see imageNamePrefix and apps\), losing every image pushed to it\. /);
        for (const loss of losses) {
            assert.match(loss, /run one `pulumi up` with protectData=false/);
        }
    });
});
