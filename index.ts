import * as pulumi from "@pulumi/pulumi";
import { readStackConfig } from "./stack/config.js";

const config = readStackConfig(pulumi.getProject(), (key) => new pulumi.Config(key.split(":")[0]).get(key.split(":").slice(1).join(":")));

export const clusterName = config.clusterName;
