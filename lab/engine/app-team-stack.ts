import { LabStack } from "./lab-stack.js";
import type { PulumiCli } from "./pulumi-cli.js";

export const APP_TEAM_STACK = "billing";

/** The app team's stack config (lab/app-team/Pulumi.yaml documents each key). */
export interface AppTeamConfig {
    /** The platform stack's StackReference name. */
    platformStack: string;
    team: string;
    app: string;
    image: string;
    semverRange: string;
    path: string;
    insecureRegistry: boolean;
    digestPinning: boolean;
    scanInterval: string;
    automationInterval: string;
    readyTimeout: string;
}

/** The lab's app-team project (lab/app-team), its stack `billing`, on the platform stack's backend. */
export class AppTeamStack extends LabStack {
    constructor(cli: PulumiCli, projectDir: string, runDir: string) {
        super(cli, projectDir, "lab/app-team", APP_TEAM_STACK, runDir);
    }

    async init(config: AppTeamConfig): Promise<void> {
        await this.create();
        await this.setConfig(Object.fromEntries(Object.entries(config).map(([key, value]) => [key, String(value)])));
    }
}
