import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { PulumiCli } from "./pulumi-cli.js";

/**
 * How long the project's own stack program (index.ts with Pulumi.prod.yaml) takes under the real CLI
 * from `pulumi preview` starting to the engine showing the program's first resource (its GitHub
 * provider, the GitOpsPlatform component, or a provider its first child asks for). The preview then
 * stops there (the lab has no github or aws provider); what is measured is program loading: the
 * language host, the TypeScript loader, the imports and the config checks.
 */
export async function measureStackStartup(cli: PulumiCli, projectDir: string, runDir: string): Promise<number> {
    const stack = "startup";
    const configFile = path.join(runDir, `Pulumi.${stack}.yaml`);
    await cli.ok(projectDir, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
    const initialised = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const salt = parse(fs.readFileSync(initialised, "utf8"));
    fs.rmSync(initialised);
    // The two values Pulumi.prod.yaml leaves to the user: the GitHub owner and where the deploy runs from.
    const prod = parse(fs.readFileSync(path.join(projectDir, "Pulumi.prod.yaml"), "utf8"));
    fs.writeFileSync(configFile, stringify({ ...salt, config: { ...prod.config, "eks-flux-gitops:githubOwner": "lab-owner", "eks-flux-gitops:clusterPublicAccessCidrs": ["203.0.113.10/32"] } }));
    let firstResource: number | undefined;
    const started = Date.now();
    await cli.run(projectDir, ["preview", "--stack", stack, "--config-file", configFile], {}, (output) => {
        // The program's first resource: its GitHub provider, the platform component or a provider its
        // first child asks for, whichever the engine shows first.
        if (firstResource === undefined && /eks-flux-gitops:index:GitOpsPlatform|pulumi:providers:/.test(output)) {
            firstResource = (Date.now() - started) / 1000;
        }
    });
    if (firstResource === undefined) {
        throw new Error(`pulumi preview of the stack program registered no resource; see the pulumi-*-preview.log of this run`);
    }
    return firstResource;
}
