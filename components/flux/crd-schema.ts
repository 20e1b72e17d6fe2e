import { Ajv, type ValidateFunction } from "ajv";
import { vendoredRelease } from "./install-manifests.js";
import { DEFAULT_FLUX_VERSION, type FluxController } from "./release.js";

/**
 * A validator with the shape of a kubernetes-models class, compiled from the openAPIV3Schema of a
 * CRD vendored with the default Flux release. For kinds whose published model lags the pinned
 * controller (the Receiver model knows neither `generic-oidc` nor `oidcProviders`), so objects are
 * checked against what the installed API server will enforce. CEL rules
 * (`x-kubernetes-validations`) are not evaluated here; builders check those themselves.
 */
export function vendoredCrdModel(controller: FluxController, kind: string, version: string): new (data: unknown) => { validate(): void } {
    let compiled: ValidateFunction | undefined;
    const validator = (): ValidateFunction => {
        if (!compiled) {
            const crd = vendoredRelease(DEFAULT_FLUX_VERSION).crds[controller].find((c) => c.spec?.names?.kind === kind);
            const schema = crd?.spec.versions.find((v: { name: string }) => v.name === version)?.schema?.openAPIV3Schema;
            if (!schema) {
                throw new Error(`the vendored ${controller} CRDs of Flux ${DEFAULT_FLUX_VERSION} have no ${kind} ${version}`);
            }
            // strict: false lets the schema's x-kubernetes-* keywords through.
            compiled = new Ajv({ strict: false, allErrors: true, validateFormats: false }).compile(schema);
        }
        return compiled;
    };
    return class {
        readonly #data: unknown;

        constructor(data: unknown) {
            this.#data = data;
        }

        validate(): void {
            const validate = validator();
            if (!validate(this.#data)) {
                throw Object.assign(new Error(`${kind} does not match its CRD schema`), { errors: validate.errors ?? [] });
            }
        }
    };
}
