/**
 * known_hosts lines from a Git host's published host keys (for GitHub, `github.getSshKeys()`), one
 * `<host> <type> <key>` line per key, so a host-key rotation reaches Flux on the next `pulumi up`.
 */
export function knownHostsLines(host: string, publishedKeys: readonly string[], port = 22): string[] {
    const hostField = port === 22 ? host : `[${host}]:${port}`;
    return publishedKeys.map((key) => {
        const [type, blob] = key.trim().split(/\s+/);
        if (!type || !blob) {
            throw new Error(`not a published SSH host key ("<type> <base64>"): ${JSON.stringify(key)}`);
        }
        return `${hostField} ${type} ${blob}`;
    });
}

export function knownHosts(host: string, publishedKeys: readonly string[], port = 22): string {
    return `${knownHostsLines(host, publishedKeys, port).join("\n")}\n`;
}
