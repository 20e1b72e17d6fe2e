import type { Problem } from "../validate.js";

/** The SSH key types Flux accepts for Git; ed25519 unless told otherwise. */
export type DeployKeyType =
    | { algorithm: "ed25519" }
    | { algorithm: "ecdsa"; curve?: "P256" | "P384" | "P521" }
    | { algorithm: "rsa"; bits?: number };

export interface TlsKeyArgs {
    algorithm: "ED25519" | "ECDSA" | "RSA";
    ecdsaCurve?: string;
    rsaBits?: number;
}

export const MIN_RSA_BITS = 3072;

export function checkDeployKeyType(field: string, type: DeployKeyType): Problem[] {
    switch (type.algorithm) {
        case "ed25519":
            return [];
        case "ecdsa":
            return type.curve === undefined || ["P256", "P384", "P521"].includes(type.curve)
                ? []
                : [{ field: `${field}.curve`, value: type.curve, rule: "must be P256, P384 or P521" }];
        case "rsa":
            return type.bits === undefined || (Number.isInteger(type.bits) && type.bits >= MIN_RSA_BITS)
                ? []
                : [{ field: `${field}.bits`, value: type.bits, rule: `must be ${MIN_RSA_BITS} or more; smaller RSA keys are too weak for a key that can push` }];
        default:
            return [{ field: `${field}.algorithm`, value: (type as { algorithm: unknown }).algorithm, rule: "must be ed25519, ecdsa or rsa" }];
    }
}

/** Arguments for `tls.PrivateKey`. */
export function tlsKeyArgs(type: DeployKeyType): TlsKeyArgs {
    switch (type.algorithm) {
        case "ed25519":
            return { algorithm: "ED25519" };
        case "ecdsa":
            return { algorithm: "ECDSA", ecdsaCurve: type.curve ?? "P256" };
        case "rsa":
            return { algorithm: "RSA", rsaBits: type.bits ?? 4096 };
    }
}
