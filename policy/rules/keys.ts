import { isSecretPath, kubernetesKind, MASKED, ofType, type Finding, type Rule, type Subject } from "../subject.js";

export const deployKeyAlgorithm: Rule = {
    name: "deploy-key-algorithm",
    description: "Generated SSH keys are ed25519 or ECDSA P-256/384/521; RSA only with 3072 bits or more.",
    check: ({ subjects }) =>
        ofType(subjects, "tls:index/privateKey:PrivateKey").flatMap((key): Finding[] => {
            const algorithm = String(key.props.algorithm ?? "RSA");
            const bits = Number(key.props.rsaBits ?? 2048);
            const curve = String(key.props.ecdsaCurve ?? "P224");
            if (algorithm === "ED25519" || (algorithm === "ECDSA" && ["P256", "P384", "P521"].includes(curve)) || (algorithm === "RSA" && bits >= 3072)) {
                return [];
            }
            const what = algorithm === "RSA" ? `RSA ${bits}` : algorithm === "ECDSA" ? `ECDSA ${curve}` : algorithm;
            return [{ urn: key.urn, message: `${what} key: use ED25519 (or ECDSA P256/P384/P521, or RSA with rsaBits >= 3072)` }];
        }),
};

const PRIVATE_KEY = /-----BEGIN [A-Z ]*PRIVATE KEY-----/;

function stringsWithPaths(value: unknown, path: string): Array<[string, string]> {
    if (typeof value === "string") {
        return [[path, value]];
    }
    if (Array.isArray(value)) {
        return value.flatMap((item, i) => stringsWithPaths(item, `${path}[${i}]`));
    }
    if (typeof value === "object" && value !== null) {
        return Object.entries(value).flatMap(([key, item]) => stringsWithPaths(item, path === "" ? key : `${path}.${key}`));
    }
    return [];
}

export const keyMaterialSecret: Rule = {
    name: "key-material-secret",
    description:
        "The SSH Secret's identity and every value holding private key material are Pulumi secrets. Checked where the source records secrets (the offline plan); the engine does not tell policies.",
    check: ({ subjects }) =>
        subjects.flatMap((subject): Finding[] => {
            if (subject.secretPaths === undefined) {
                return [];
            }
            const findings: Finding[] = [];
            if (kubernetesKind(subject)?.kind === "Secret") {
                for (const field of ["stringData", "data"]) {
                    const identity = subject.props[field]?.identity;
                    if (identity !== undefined && identity !== MASKED && !isSecretPath(subject, `${field}.identity`)) {
                        findings.push({ urn: subject.urn, message: `${field}.identity of this Secret is not a Pulumi secret; wrap it with pulumi.secret()` });
                    }
                }
            }
            const exposed = stringsWithPaths(subject.props, "")
                .filter(([path, text]) => PRIVATE_KEY.test(text) && !isSecretPath(subject, path))
                .map(([path]) => path)
                .filter((path) => !path.endsWith(".identity"));
            if (exposed.length > 0) {
                findings.push({ urn: subject.urn, message: `${exposed.join(", ")} hold(s) a private key in plain text; make it a Pulumi secret` });
            }
            return findings;
        }),
};

/** The key types each Git host publishes; GitHub's from api.github.com/meta `ssh_keys`. */
export const PUBLISHED_KEY_TYPES: Record<string, string[]> = {
    "github.com": ["ssh-ed25519", "ecdsa-sha2-nistp256", "ssh-rsa"],
};

function knownHostsLines(subject: Subject): string[] | undefined {
    const value = subject.props.stringData?.known_hosts ?? (subject.props.data?.known_hosts !== undefined
        ? Buffer.from(String(subject.props.data.known_hosts), "base64").toString("utf8")
        : undefined);
    if (value === undefined || value === MASKED) {
        return undefined;
    }
    return String(value).split("\n").map((line) => line.trim()).filter((line) => line !== "" && !line.startsWith("#"));
}

export const knownHostsPublished: Rule = {
    name: "known-hosts-published",
    description:
        "known_hosts lists the Git host's published keys, at least one line per key type it publishes (so a rotation to another type does not break Flux). Needs the values: the offline runner plans with secrets shown.",
    configProperties: {
        publishedKeyTypes: { type: "object", description: "Key types per host, e.g. { \"github.com\": [\"ssh-ed25519\", ...] }." },
    },
    check: ({ subjects, config }) => {
        const published = (config.publishedKeyTypes as Record<string, string[]> | undefined) ?? PUBLISHED_KEY_TYPES;
        return subjects
            .filter((s) => kubernetesKind(s)?.kind === "Secret")
            .flatMap((secret): Finding[] => {
                const lines = knownHostsLines(secret);
                if (lines === undefined) {
                    return [];
                }
                if (lines.length === 0) {
                    return [{ urn: secret.urn, message: "known_hosts is empty; build it from the Git host's published keys" }];
                }
                const entries = lines.map((line) => line.split(/\s+/));
                const malformed = entries.filter((parts) => parts.length < 3);
                if (malformed.length > 0) {
                    return [{ urn: secret.urn, message: `known_hosts has ${malformed.length} line(s) that are not "<host> <type> <key>"` }];
                }
                return Object.entries(published).flatMap(([host, types]) => {
                    const forHost = entries.filter(([hosts]) => hosts.split(",").includes(host));
                    if (forHost.length === 0) {
                        return [];
                    }
                    const missing = types.filter((type) => !forHost.some(([, keyType]) => keyType === type));
                    return missing.length === 0
                        ? []
                        : [{ urn: secret.urn, message: `known_hosts lacks ${host}'s published ${missing.join(", ")} key(s); take every line from the host's published keys` }];
                });
            });
    },
};

export const kubeconfigSecret: Rule = {
    name: "kubeconfig-secret",
    description:
        "A Kubernetes provider's kubeconfig (cluster credentials) is a Pulumi secret. Checked where the source records secrets (the offline plan); the engine does not tell policies.",
    check: ({ subjects }) =>
        ofType(subjects, "pulumi:providers:kubernetes")
            .filter((provider) => provider.secretPaths !== undefined && provider.props.kubeconfig !== undefined && !isSecretPath(provider, "kubeconfig"))
            .map((provider) => ({ urn: provider.urn, message: `the kubeconfig of provider ${provider.name} is not a Pulumi secret; wrap it with pulumi.secret()` })),
};

export const keyRules = [deployKeyAlgorithm, keyMaterialSecret, knownHostsPublished, kubeconfigSecret];
