import * as fs from "node:fs";
import * as path from "node:path";
import { parse, stringify } from "yaml";
import type { PulumiCli } from "./pulumi-cli.js";

/**
 * How long the project's own stack program (index.ts with Pulumi.prod.yaml) takes under the real CLI
 * from `pulumi preview` starting to the engine receiving its first resources of the library (the
 * GitOpsPlatform component, then the AWS provider its first child asks for). The preview then stops at the first AWS resource (the lab has no aws
 * provider); what is measured is program loading: the language host, ts-node and the imports.
 */
export async function measureStackStartup(cli: PulumiCli, projectDir: string, runDir: string): Promise<number> {
    const stack = "startup";
    const configFile = path.join(runDir, `Pulumi.${stack}.yaml`);
    await cli.ok(projectDir, ["stack", "init", stack, "--secrets-provider", "passphrase"]);
    const initialised = path.join(projectDir, `Pulumi.${stack}.yaml`);
    const salt = parse(fs.readFileSync(initialised, "utf8"));
    fs.rmSync(initialised);
    const prod = parse(fs.readFileSync(path.join(projectDir, "Pulumi.prod.yaml"), "utf8"));
    fs.writeFileSync(configFile, stringify({ ...salt, config: { ...prod.config, "eks-flux-gitops:githubOwner": "lab-owner" } }));
    let firstResource: number | undefined;
    const started = Date.now();
    await cli.run(projectDir, ["preview", "--stack", stack, "--config-file", configFile], {}, (output) => {
        // The component, or the AWS provider its first child asks for, whichever the engine shows first.
        if (firstResource === undefined && /eks-flux-gitops:index:GitOpsPlatform|pulumi:providers:aws/.test(output)) {
            firstResource = (Date.now() - started) / 1000;
        }
    });
    if (firstResource === undefined) {
        throw new Error(`pulumi preview of the stack program never registered GitOpsPlatform or an AWS resource; see the pulumi-*-preview.log of this run`);
    }
    return firstResource;
}
