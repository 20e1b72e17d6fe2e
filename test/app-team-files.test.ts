import { strict as assert } from "node:assert";
import { parse, parseAllDocuments } from "yaml";
import { teamAppFiles } from "../lab/app-team-files.js";

describe("lab app team's files", () => {
    const files = teamAppFiles({ path: "./teams/billing", app: "billing-api", image: "127.0.0.1:5000/mamezou-tech/billing-api", tag: "1.0.0", policyNamespace: "flux-system" });

    it("puts the app and its kustomization.yaml in the team's folder, the AppSync's path", () => {
        assert.deepEqual(Object.keys(files).sort(), ["teams/billing/billing-api.yaml", "teams/billing/kustomization.yaml"]);
        assert.deepEqual(parse(files["teams/billing/kustomization.yaml"]).resources, ["billing-api.yaml"]);
    });

    it("marks the tag and name with the team's ImagePolicy, the lines the image automation rewrites", () => {
        const overlay = files["teams/billing/kustomization.yaml"];
        assert.match(overlay, /^\s+newTag: 1\.0\.0 # \{"\$imagepolicy": "flux-system:billing-api:tag"\}$/m);
        assert.match(overlay, /^\s+newName: 127\.0\.0\.1:5000\/mamezou-tech\/billing-api # \{"\$imagepolicy": "flux-system:billing-api:name"\}$/m);
        assert.deepEqual(parse(overlay).images, [{ name: "billing-api", newName: "127.0.0.1:5000/mamezou-tech/billing-api", newTag: "1.0.0" }]);
    });

    it("runs the app as a Deployment whose container image is the name kustomize replaces", () => {
        const objects = parseAllDocuments(files["teams/billing/billing-api.yaml"]).map((d) => d.toJS());
        assert.deepEqual(objects.map((o) => `${o.kind}/${o.metadata.name}`), ["Deployment/billing-api", "Service/billing-api"]);
        const container = objects[0].spec.template.spec.containers[0];
        assert.equal(container.image, "billing-api");
        assert.equal(container.ports[0].containerPort, 8080);
    });

    it("with pinDigest, adds an empty digest with its marker, which kustomize leaves out until Flux fills it", () => {
        const overlay = teamAppFiles({ path: "./teams/billing", app: "billing-api", image: "r/billing-api", tag: "1.0.0", policyNamespace: "flux-system", pinDigest: true })["teams/billing/kustomization.yaml"];
        assert.match(overlay, /^\s+digest: "" # \{"\$imagepolicy": "flux-system:billing-api:digest"\}$/m);
        assert.deepEqual(parse(overlay).images, [{ name: "billing-api", newName: "r/billing-api", newTag: "1.0.0", digest: "" }]);
        assert.doesNotMatch(files["teams/billing/kustomization.yaml"], /digest/);
    });

    it("accepts the folder with or without ./ and a trailing slash", () => {
        assert.deepEqual(Object.keys(teamAppFiles({ path: "teams/billing/", app: "billing-api", image: "r/billing-api", tag: "1.0.0", policyNamespace: "flux-system" })).sort(), Object.keys(files).sort());
    });
});
