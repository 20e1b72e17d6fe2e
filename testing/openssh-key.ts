import * as crypto from "node:crypto";

/**
 * Real SSH key pairs in OpenSSH's formats, for the mock `tls.PrivateKey`: the offline plan and the
 * local lab hand these keys to a real sshd and to Flux, so they must be what OpenSSH accepts.
 */
export interface OpenSshKeyPair {
    privateKeyOpenssh: string;
    publicKeyOpenssh: string;
    publicKeyFingerprintSha256: string;
    privateKeyPem: string;
}

export type KeyAlgorithm = "ED25519" | "ECDSA" | "RSA";

function sshString(data: Buffer | string): Buffer {
    const body = typeof data === "string" ? Buffer.from(data) : data;
    const length = Buffer.alloc(4);
    length.writeUInt32BE(body.length);
    return Buffer.concat([length, body]);
}

/** An SSH mpint: big-endian, with a leading zero when the top bit is set. */
function sshMpint(data: Buffer): Buffer {
    let bytes = data;
    while (bytes.length > 1 && bytes[0] === 0) {
        bytes = bytes.subarray(1);
    }
    return sshString(bytes[0] & 0x80 ? Buffer.concat([Buffer.from([0]), bytes]) : bytes);
}

const b64url = (value: string | undefined) => Buffer.from(value ?? "", "base64url");

const CURVES: Record<string, { node: string; ssh: string; bytes: number }> = {
    P256: { node: "prime256v1", ssh: "nistp256", bytes: 32 },
    P384: { node: "secp384r1", ssh: "nistp384", bytes: 48 },
    P521: { node: "secp521r1", ssh: "nistp521", bytes: 66 },
};

function padTo(data: Buffer, size: number): Buffer {
    return data.length >= size ? data : Buffer.concat([Buffer.alloc(size - data.length), data]);
}

/** PKCS#8 DER header of an Ed25519 private key; the 32-byte seed follows it. */
const ED25519_PKCS8_PREFIX = Buffer.from("302e020100300506032b657004220420", "hex");

/**
 * `seed` makes an Ed25519 key (and the file's check bytes) deterministic, so two offline plans of the
 * same stack are byte-identical; other algorithms are always random.
 */
export function generateOpenSshKeyPair(
    algorithm: KeyAlgorithm = "ED25519",
    options: { ecdsaCurve?: string; rsaBits?: number; comment?: string; seed?: string } = {},
): OpenSshKeyPair {
    let type: string;
    let publicParts: Buffer[];
    let privateParts: Buffer[];
    let pem: string;
    if (algorithm === "ED25519") {
        const privateKey = options.seed
            ? crypto.createPrivateKey({
                  key: Buffer.concat([ED25519_PKCS8_PREFIX, crypto.createHash("sha256").update(options.seed).digest()]),
                  format: "der",
                  type: "pkcs8",
              })
            : crypto.generateKeyPairSync("ed25519").privateKey;
        const jwk = privateKey.export({ format: "jwk" });
        const pub = b64url(jwk.x);
        type = "ssh-ed25519";
        publicParts = [sshString(type), sshString(pub)];
        privateParts = [sshString(type), sshString(pub), sshString(Buffer.concat([b64url(jwk.d), pub]))];
        pem = privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    } else if (algorithm === "ECDSA") {
        const curve = CURVES[options.ecdsaCurve ?? "P256"];
        if (!curve) {
            throw new Error(`unsupported ECDSA curve ${options.ecdsaCurve}`);
        }
        const { privateKey } = crypto.generateKeyPairSync("ec", { namedCurve: curve.node });
        const jwk = privateKey.export({ format: "jwk" });
        const point = Buffer.concat([Buffer.from([4]), padTo(b64url(jwk.x), curve.bytes), padTo(b64url(jwk.y), curve.bytes)]);
        type = `ecdsa-sha2-${curve.ssh}`;
        publicParts = [sshString(type), sshString(curve.ssh), sshString(point)];
        privateParts = [...publicParts, sshMpint(b64url(jwk.d))];
        pem = privateKey.export({ format: "pem", type: "sec1" }).toString();
    } else {
        const { privateKey } = crypto.generateKeyPairSync("rsa", { modulusLength: options.rsaBits ?? 4096 });
        const jwk = privateKey.export({ format: "jwk" });
        type = "ssh-rsa";
        publicParts = [sshString(type), sshMpint(b64url(jwk.e)), sshMpint(b64url(jwk.n))];
        privateParts = [sshString(type), sshMpint(b64url(jwk.n)), sshMpint(b64url(jwk.e)), sshMpint(b64url(jwk.d)), sshMpint(b64url(jwk.qi)), sshMpint(b64url(jwk.p)), sshMpint(b64url(jwk.q))];
        pem = privateKey.export({ format: "pem", type: "pkcs1" }).toString();
    }
    const publicBlob = Buffer.concat(publicParts);
    const check = options.seed ? crypto.createHash("sha256").update(`check-${options.seed}`).digest().subarray(0, 4) : crypto.randomBytes(4);
    let block = Buffer.concat([check, check, ...privateParts, sshString(options.comment ?? "")]);
    const padding = [];
    for (let i = 1; block.length % 8 !== 0; i++) {
        padding.push(i);
        block = Buffer.concat([block, Buffer.from([i])]);
    }
    const body = Buffer.concat([
        Buffer.from("openssh-key-v1\0"),
        sshString("none"),
        sshString("none"),
        sshString(""),
        Buffer.from([0, 0, 0, 1]),
        sshString(publicBlob),
        sshString(block),
    ]);
    const wrapped = body.toString("base64").match(/.{1,70}/g)!.join("\n");
    return {
        privateKeyOpenssh: `-----BEGIN OPENSSH PRIVATE KEY-----\n${wrapped}\n-----END OPENSSH PRIVATE KEY-----\n`,
        publicKeyOpenssh: `${type} ${publicBlob.toString("base64")}\n`,
        publicKeyFingerprintSha256: `SHA256:${crypto.createHash("sha256").update(publicBlob).digest("base64").replace(/=+$/, "")}`,
        privateKeyPem: pem,
    };
}
