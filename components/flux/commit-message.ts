import type { Problem } from "../validate.js";

/**
 * The commit message image automation writes, on the template data of Flux >= 2.7 (`.Changed`):
 * one line per changed value naming the setter that changed it (`<namespace>:<policy>:tag`), old -> new,
 * like the tutorial's list of updated images.
 */
export const DEFAULT_COMMIT_MESSAGE_TEMPLATE = [
    "Update images by Flux image automation",
    "",
    "Automation: {{ .AutomationObject }}",
    "{{ range .Changed.Changes }}",
    "- {{ .Setter }}: {{ .OldValue }} -> {{ .NewValue }}",
    "{{- end }}",
].join("\n");

/** Template fields Flux 2.7 removed, and what replaces each. */
const REMOVED_FIELDS: Array<{ pattern: RegExp; field: string; instead: string }> = [
    { pattern: /\.Updated\.Images\b/, field: ".Updated.Images", instead: "{{ range .Changed.Changes }}{{ println .NewValue }}{{ end }}" },
    { pattern: /\.Updated\.Files\b/, field: ".Updated.Files", instead: "{{ range $file, $_ := .Changed.FileChanges }}{{ println $file }}{{ end }}" },
    { pattern: /\.Updated\.Objects\b/, field: ".Updated.Objects", instead: "{{ range $object, $_ := .Changed.Objects }}{{ println $object.Kind $object.Name }}{{ end }}" },
    { pattern: /\.Updated\b/, field: ".Updated", instead: ".Changed (with .Changed.Changes, .Changed.FileChanges, .Changed.Objects)" },
];

export function checkCommitMessageTemplate(field: string, template: string): Problem[] {
    const removed = REMOVED_FIELDS.find((entry) => entry.pattern.test(template));
    if (removed) {
        return [
            {
                field,
                value: template,
                rule: `uses ${removed.field}, which Flux 2.7 removed (the automation would stall); use ${removed.instead}`,
            },
        ];
    }
    const opens = (template.match(/\{\{/g) ?? []).length;
    const closes = (template.match(/\}\}/g) ?? []).length;
    return opens === closes ? [] : [{ field, value: template, rule: `is not a valid Go template: ${opens} '{{' but ${closes} '}}'` }];
}
