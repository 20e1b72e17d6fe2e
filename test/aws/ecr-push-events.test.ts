import { strict as assert } from "node:assert";
import { EcrPushEvents } from "../../components/aws/ecr-push-events.js";
import { ecrPushEventPattern } from "../../components/aws/ecr-push-event-rules.js";
import { MockCloud, settled, useMockCloud, valueOf } from "../../testing/mock-cloud.js";
import { validationProblems } from "../../testing/problems.js";

const URL = `https://flux-webhook.example.com/hook/${"a".repeat(64)}`;
const TOKEN = "0123456789abcdef0123456789abcdef0123";
const REPOSITORIES = ["mamezou-tech/task-service", "mamezou-tech/task-web"];

describe("EcrPushEvents", () => {
    it("sends successful tagged pushes of the stack's repositories to the Receiver through a rate-limited API destination", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const events = new EcrPushEvents("push", { repositoryNames: REPOSITORIES, receiverUrl: URL, token: TOKEN });
        const destinationArn = await valueOf(events.apiDestinationArn);
        await settled(cloud);
        const rule = cloud.get("aws:cloudwatch/eventRule:EventRule", "push-rule");
        assert.deepEqual(JSON.parse(rule.inputs.eventPattern), {
            source: ["aws.ecr"],
            "detail-type": ["ECR Image Action"],
            detail: { "action-type": ["PUSH"], result: ["SUCCESS"], "repository-name": REPOSITORIES, "image-tag": [{ exists: true }] },
        });
        const connection = cloud.get("aws:cloudwatch/eventConnection:EventConnection", "push-connection");
        assert.equal(connection.inputs.authorizationType, "API_KEY");
        assert.deepEqual(connection.inputs.authParameters.apiKey, { key: "X-Flux-Receiver-Token", value: TOKEN });
        assert.deepEqual(connection.secretPaths, ["authParameters"]);
        const destination = cloud.get("aws:cloudwatch/eventApiDestination:EventApiDestination", "push-destination");
        assert.equal(destination.inputs.invocationEndpoint, URL);
        assert.deepEqual(destination.secretPaths, ["invocationEndpoint"]);
        assert.equal(destination.inputs.httpMethod, "POST");
        assert.equal(destination.inputs.invocationRateLimitPerSecond, 5);
        const role = cloud.get("aws:iam/role:Role", "push-role");
        assert.deepEqual(JSON.parse(role.inputs.assumeRolePolicy).Statement, [{ Effect: "Allow", Principal: { Service: "events.amazonaws.com" }, Action: "sts:AssumeRole" }]);
        const policy = JSON.parse(cloud.get("aws:iam/rolePolicy:RolePolicy", "push-invoke").inputs.policy);
        assert.deepEqual(policy.Statement, [{ Sid: "InvokeReceiver", Effect: "Allow", Action: "events:InvokeApiDestination", Resource: destinationArn }]);
        const target = cloud.get("aws:cloudwatch/eventTarget:EventTarget", "push-target").inputs;
        assert.equal(target.rule, "push-rule");
        assert.equal(target.arn, destinationArn);
        assert.equal(target.roleArn, "arn:aws:iam::123456789012:role/push-role");
        assert.deepEqual(target.retryPolicy, { maximumEventAgeInSeconds: 60, maximumRetryAttempts: 5 });
    });

    it("takes its rate limit, retries and header name from Args", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new EcrPushEvents("push", { repositoryNames: ["app"], receiverUrl: URL, token: TOKEN, invocationRateLimitPerSecond: 1, maximumEventAgeSeconds: 120, maximumRetryAttempts: 0, apiKeyHeader: "X-Hook-Key" });
        await settled(cloud);
        assert.equal(cloud.get("aws:cloudwatch/eventApiDestination:EventApiDestination", "push-destination").inputs.invocationRateLimitPerSecond, 1);
        assert.deepEqual(cloud.get("aws:cloudwatch/eventTarget:EventTarget", "push-target").inputs.retryPolicy, { maximumEventAgeInSeconds: 120, maximumRetryAttempts: 0 });
        assert.equal(cloud.get("aws:cloudwatch/eventConnection:EventConnection", "push-connection").inputs.authParameters.apiKey.key, "X-Hook-Key");
    });

    it("refuses limits EventBridge refuses, bad repository names and a non-https receiver, without showing the secret path", () => {
        assert.deepEqual(
            validationProblems(
                () =>
                    new EcrPushEvents("push", {
                        repositoryNames: ["Task-Service"],
                        receiverUrl: `http://flux-webhook.example.com/hook/${"b".repeat(64)}`,
                        token: TOKEN,
                        invocationRateLimitPerSecond: 0,
                        maximumEventAgeSeconds: 30,
                        maximumRetryAttempts: 1.5,
                        apiKeyHeader: "X Hook",
                    }),
            ),
            [
                "invocationRateLimitPerSecond = 0: must be a whole number from 1 to 300 (EventBridge's default and usual quota per API destination is 300)",
                "maximumEventAgeSeconds = 30: must be a whole number from 60 to 86400 (EventBridge's retry policy range)",
                "maximumRetryAttempts = 1.5: must be a whole number from 0 to 185 (EventBridge's retry policy range)",
                "apiKeyHeader = \"X Hook\": must be an HTTP header name: letters, digits and !#$%&'*+.^_`|~-",
                'repositoryNames[0] = "Task-Service": must be an ECR repository name: 2 to 256 lowercase letters and digits, separated by single \'.\', \'_\', \'-\' or \'/\', starting and ending with a letter or digit',
                'receiverUrl = "http://flux-webhook.example.com/hook/[secret]": must be an https:// URL: EventBridge API destinations only call public HTTPS endpoints',
            ],
        );
        assert.deepEqual(validationProblems(() => new EcrPushEvents("push", { repositoryNames: [], receiverUrl: URL, token: TOKEN })), ["repositoryNames = []: must list at least one ECR repository"]);
    });

    it("matches ECR's documented push event and not a failed or untagged one", () => {
        const pattern = ecrPushEventPattern(["my-repository-name"]) as { source: string[]; "detail-type": string[]; detail: Record<string, unknown[]> };
        // The sample "Event for a completed image push" of the ECR user guide.
        const event = { source: "aws.ecr", "detail-type": "ECR Image Action", detail: { result: "SUCCESS", "repository-name": "my-repository-name", "image-digest": "sha256:7f5b", "action-type": "PUSH", "image-tag": "latest" } };
        const matches = (e: typeof event) =>
            pattern.source.includes(e.source) &&
            pattern["detail-type"].includes(e["detail-type"]) &&
            Object.entries(pattern.detail).every(([key, allowed]) =>
                allowed.some((a) => (typeof a === "object" ? key in e.detail : (e.detail as Record<string, unknown>)[key] === a)),
            );
        assert.equal(matches(event), true);
        assert.equal(matches({ ...event, detail: { ...event.detail, result: "FAILURE" } }), false);
        const { "image-tag": _tag, ...untagged } = event.detail;
        assert.equal(matches({ ...event, detail: untagged as typeof event.detail }), false);
        assert.equal(matches({ ...event, detail: { ...event.detail, "repository-name": "other" } }), false);
    });
});
