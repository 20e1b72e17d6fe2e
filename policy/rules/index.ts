import { ecrRules } from "./ecr.js";
import { eksRules } from "./eks.js";
import { fluxRules } from "./flux.js";
import { githubRules } from "./github.js";
import { keyRules } from "./keys.js";
import { receiverRules } from "./receivers.js";
import type { Rule } from "../subject.js";

export const allRules: Rule[] = [...eksRules, ...ecrRules, ...githubRules, ...keyRules, ...fluxRules, ...receiverRules];
