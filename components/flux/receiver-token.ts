import * as k8s from "@pulumi/kubernetes";
import * as pulumi from "@pulumi/pulumi";
import * as random from "@pulumi/random";
import type { Problem } from "../validate.js";
import { contentNamedSecret } from "./content-named-secret.js";
import type { KubernetesObject } from "./install-manifests.js";

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
 * run; rotate it by passing another), else a 40-character `random.RandomPassword` named
 * `<name>-token`, replaced (a new one created before the old is dropped) when `rotation` changes.
 */
export function receiverToken(name: string, parent: pulumi.Resource, existing?: pulumi.Input<string>, rotation = 0): pulumi.Output<string> {
    // The trigger is always set: the engine replaces only when a recorded trigger changes, so stacks
    // made before the option existed are not replaced by its arrival.
    return pulumi.secret(existing ?? new random.RandomPassword(`${name}-token`, { length: 40, special: false }, { parent, replacementTrigger: rotation }).result);
}

export interface ReceiverTokenSecret {
    secret: k8s.core.v1.Secret;
    /** `<base>-<10 hex digits>`, named after the token: a new token is a new Secret beside the old one. */
    secretName: pulumi.Output<string>;
}

/** The Secret (`<name>-token` in Pulumi) whose `token` key the Receiver's secretRef reads. */
export function receiverTokenSecret(name: string, input: { secretBase: string; namespace: string; token: pulumi.Output<string> }, opts: pulumi.CustomResourceOptions): ReceiverTokenSecret {
    // A hash prefix of a random token is not the token: the name need not be secret.
    const secretName = pulumi.unsecret(input.token.apply((token) => contentNamedSecret(input.secretBase, [token])));
    const secret = new k8s.core.v1.Secret(
        `${name}-token`,
        { metadata: { name: secretName, namespace: input.namespace }, type: "Opaque", stringData: { token: pulumi.secret(input.token) } },
        opts,
    );
    return { secret, secretName };
}

/**
 * Custom resource args for a Receiver whose secretRef names a Secret known only once its token is:
 * metadata as `build` makes it (with the Secret's base name, checked the same way), the spec once the
 * Secret's name resolves.
 */
export function receiverArgs(build: (secretName: string) => KubernetesObject, secret: ReceiverTokenSecret, secretBase: string): k8s.apiextensions.CustomResourceArgs {
    const { apiVersion, kind, metadata } = build(secretBase);
    return { apiVersion, kind, metadata: metadata as k8s.types.input.meta.v1.ObjectMeta, spec: secret.secretName.apply((n) => build(n).spec) };
}
