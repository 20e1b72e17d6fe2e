import { strict as assert } from "node:assert";
import * as fs from "node:fs";
import { fileURLToPath } from "node:url";
import { vendoredRelease } from "../../components/flux/install-manifests.js";
import { FLUX_RELEASES } from "../../components/flux/release.js";
import { parseVendoredYaml } from "../../components/flux/vendored-yaml.js";

const vendorRoot = fileURLToPath(new URL("../../components/flux/vendor/", import.meta.url));

describe("the vendored Flux manifests", () => {
    for (const version of Object.keys(FLUX_RELEASES)) {
        it(`reads Flux ${version} from a manifests.json that is exactly its vendored YAML, parsed`, () => {
            assert.ok(fs.existsSync(`${vendorRoot}${version}`), `Flux ${version} is not vendored: npm run vendor:flux -- ${version}`);
            const release = vendoredRelease(version);
            assert.deepEqual(release, parseVendoredYaml(`${vendorRoot}${version}`), `components/flux/vendor/${version}/manifests.json differs from its YAML: npm run vendor:flux -- ${version}`);
            assert.ok(release.crds["source-controller"].some((crd) => crd.spec.names.kind === "GitRepository"));
        });
    }
});
