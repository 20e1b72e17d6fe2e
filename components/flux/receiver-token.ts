import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Problem } from "../validate.js";

/** Shortest existing token accepted: the token is all that makes a receiver's webhook path unguessable. */
export const MIN_RECEIVER_TOKEN_LENGTH = 32;

/** Checks an existing token known at preview; the message never shows the value. */
export function checkReceiverToken(field: string, token: pulumi.Input<string> | undefined): Problem | undefined {
    if (typeof token !== "string" || (token.length >= MIN_RECEIVER_TOKEN_LENGTH && !/\s/.test(token))) {
        return undefined;
    }
    return { field, value: "[secret]", rule: `must be at least ${MIN_RECEIVER_TOKEN_LENGTH} characters without whitespace: it is the only secret in the webhook path` };
}

/**
 * A receiver's token as a secret: the existing one when given (e.g. where the random provider cannot
 * run), else a 40-character `random.RandomPassword` named `<name>-token`, replaced to rotate it.
 */
export function receiverToken(name: string, parent: pulumi.Resource, existing?: pulumi.Input<string>): pulumi.Output<string> {
    return pulumi.secret(existing ?? new random.RandomPassword(`${name}-token`, { length: 40, special: false }, { parent }).result);
}

/** The Secret (`<name>-token` in Pulumi) whose `token` key the Receiver's secretRef reads. */
export function receiverTokenSecret(name: string, input: { secretName: string; namespace: string; token: pulumi.Output<string> }, opts: pulumi.CustomResourceOptions): k8s.core.v1.Secret {
    return new k8s.core.v1.Secret(
        `${name}-token`,
        { metadata: { name: input.secretName, namespace: input.namespace }, type: "Opaque", stringData: { token: pulumi.secret(input.token) } },
        opts,
    );
}
