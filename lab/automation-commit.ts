import { git, type GitServer } from "./git-server.js";

/** The author image-automation-controller commits as by default. */
export const AUTOMATION_AUTHOR = "fluxcdbot <fluxcdbot@users.noreply.github.com>";

/**
 * The commit `revision` is image-automation-controller's: by fluxcdbot, with its default message for
 * the ImageUpdateAutomation `automation` (namespace/name) listing exactly `changes` (lines such as
 * `- flux-system:app:tag: 1.0.0 -> 1.0.1`, in any order). Returns the files it changed.
 */
export function assertAutomationCommit(server: GitServer, revision: string, automation: string, changes: string[]): string[] {
    const [author, ...message] = git(server.bare, "log", "-1", "--format=%an <%ae>%n%B", revision).split("\n");
    const header = ["Update images by Flux image automation", "", `Automation: ${automation}`, ""];
    const listed = message.slice(header.length);
    if (author !== AUTOMATION_AUTHOR || header.some((line, i) => message[i] !== line) || [...listed].sort().join("\n") !== [...changes].sort().join("\n")) {
        throw new Error(
            `the automation commit ${revision} is not by fluxcdbot with the default message of ${automation} listing ${changes.join("; ")}:\n${author}\n${message.join("\n")}`,
        );
    }
    return git(server.bare, "show", "--name-only", "--format=", revision).split("\n").filter(Boolean);
}
