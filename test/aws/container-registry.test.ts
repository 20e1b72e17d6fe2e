import { strict as assert } from "node:assert";
import { ContainerRegistry, type ContainerRegistryArgs } from "../../components/aws/container-registry.js";
import { buildLifecyclePolicy, checkTaggedExpiry, expirableTags, selectableTags } from "../../components/aws/ecr-lifecycle-policy.js";
import { MockCloud, settled, useMockCloud, valueOf } from "../../testing/mock-cloud.js";
import { validationProblems } from "../../testing/problems.js";

const seed: ContainerRegistryArgs = {
    namePrefix: "mamezou-tech",
    apps: [{ name: "task-service", semverRange: "1.1.x" }, { name: "task-reporter" }, { name: "task-web" }],
};


describe("ContainerRegistry", () => {
    it("creates the seed's three repositories with scan on push, immutable tags and KMS", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const registry = new ContainerRegistry("ecr", seed);
        const urls = await valueOf(registry.repositoryUrls);
        await settled(cloud);
        const repos = cloud.ofType("aws:ecr/repository:Repository");
        assert.deepEqual(repos.map((r) => r.inputs.name), ["mamezou-tech/task-service", "mamezou-tech/task-reporter", "mamezou-tech/task-web"]);
        const key = cloud.get("aws:kms/key:Key", "ecr-images");
        assert.equal(key.inputs.enableKeyRotation, true);
        for (const repo of repos) {
            assert.equal(repo.inputs.imageTagMutability, "IMMUTABLE");
            assert.deepEqual(repo.inputs.imageScanningConfiguration, { scanOnPush: true });
            assert.deepEqual(repo.inputs.encryptionConfigurations, [{ encryptionType: "KMS", kmsKey: "arn:aws:kms:ap-northeast-1:123456789012:key/mock-ecr-images" }]);
            assert.equal(repo.inputs.forceDelete, false, "a destroy must not silently delete images");
        }
        assert.equal(urls["task-service"], "123456789012.dkr.ecr.ap-northeast-1.amazonaws.com/mamezou-tech/task-service");
        assert.equal(registry.repositories["task-web"].name, "mamezou-tech/task-web");
        assert.deepEqual(await valueOf(registry.repositoryArns), [
            "arn:aws:ecr:ap-northeast-1:123456789012:repository/mamezou-tech/task-service",
            "arn:aws:ecr:ap-northeast-1:123456789012:repository/mamezou-tech/task-reporter",
            "arn:aws:ecr:ap-northeast-1:123456789012:repository/mamezou-tech/task-web",
        ]);
    });

    it("expires untagged images only, unless throwaway patterns are given", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new ContainerRegistry("ecr", { ...seed, taggedExpiry: [{ tagPatterns: ["pr-*"], keep: 5 }] });
        await settled(cloud);
        const policies = cloud.ofType("aws:ecr/lifecyclePolicy:LifecyclePolicy");
        assert.deepEqual(policies.map((p) => p.inputs.repository), ["mamezou-tech/task-service", "mamezou-tech/task-reporter", "mamezou-tech/task-web"]);
        const document = JSON.parse(policies[0].inputs.policy);
        assert.deepEqual(document.rules[0].selection, { tagStatus: "untagged", countType: "sinceImagePushed", countUnit: "days", countNumber: 14 });
        assert.deepEqual(document.rules[1].selection, { tagStatus: "tagged", tagPatternList: ["pr-*"], countType: "imageCountMoreThan", countNumber: 5 });
        for (const rule of document.rules) {
            assert.deepEqual(expirableTags(rule, selectableTags("1.1.x")), [], `rule ${rule.rulePriority} must not touch 1.1.x tags`);
        }
    });

    it("uses a given key or the AWS-managed one, and force-deletes only when asked", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new ContainerRegistry("a", { apps: [{ name: "x1" }], kmsKey: "aws-managed", forceDeleteImagesOnDestroy: true });
        new ContainerRegistry("b", { apps: [{ name: "y1" }], kmsKey: "arn:aws:kms:ap-northeast-1:123456789012:key/given" });
        await settled(cloud);
        assert.equal(cloud.ofType("aws:kms/key:Key").length, 0);
        assert.deepEqual(cloud.get("aws:ecr/repository:Repository", "a-x1").inputs.encryptionConfigurations, [{ encryptionType: "KMS" }]);
        assert.equal(cloud.get("aws:ecr/repository:Repository", "a-x1").inputs.forceDelete, true);
        assert.equal(cloud.get("aws:ecr/repository:Repository", "b-y1").inputs.encryptionConfigurations[0].kmsKey, "arn:aws:kms:ap-northeast-1:123456789012:key/given");
    });

    it("rejects bad names, duplicate apps, bad ranges and patterns that could expire selectable tags", async () => {
        const cloud = await useMockCloud(new MockCloud());
        assert.deepEqual(
            validationProblems(
                () =>
                    new ContainerRegistry("ecr", {
                        namePrefix: "mamezou-tech",
                        apps: [{ name: "Task-Service", semverRange: "1.1.x.y" }, { name: "task-web", semverRange: "1.1.x" }, { name: "task-web" }],
                        taggedExpiry: [{ tagPatterns: ["1.*", "pr-*"], keep: 0 }],
                        untaggedExpiryDays: 0,
                    }),
            ),
            [
                'apps[0].name = "Task-Service": gives repository "mamezou-tech/Task-Service", which must be an ECR repository name: 2 to 256 lowercase letters and digits, separated by single \'.\', \'_\', \'-\' or \'/\', starting and ending with a letter or digit',
                `apps[0].semverRange = "1.1.x.y": must be a semver range such as 1.1.x, ^1.2.0 or >=1.0.0 <2.0.0; Flux's image-reflector-controller refuses this one: it has an improper constraint "1.1.x.y"`,
                "taggedExpiry[0].keep = 0: must be a whole number, 1 or more (app task-web)",
                'taggedExpiry[0].tagPatterns[0] = "1.*": could expire 1.1.0, 1.1.1, 1.1.10, which the ImagePolicy range 1.1.x may select; use a pattern no release tag matches, such as pr-* (app task-web)',
                'apps[2].name = "task-web": must be unique; it appears earlier in the list',
                "untaggedExpiryDays = 0: must be a whole number of days, 1 or more",
            ],
        );
        await settled(cloud);
        assert.equal(cloud.resources.length, 0, "nothing is registered on bad input");
    });
});

describe("ECR lifecycle policy", () => {
    it("derives tags a range may select, with and without a v prefix", () => {
        assert.deepEqual(selectableTags("1.1.x").slice(0, 4), ["1.1.0", "v1.1.0", "1.1.1", "v1.1.1"]);
        assert.ok(selectableTags("^2.0.0").includes("2.1.0"));
        assert.ok(!selectableTags("1.1.x").includes("1.2.0"));
    });

    it("refuses patterns such as * and v1.1.* against 1.1.x and accepts pr-*", () => {
        assert.equal(checkTaggedExpiry("t", [{ tagPatterns: ["*"], keep: 1 }], "1.1.x").length, 1);
        assert.equal(checkTaggedExpiry("t", [{ tagPatterns: ["v1.1.*"], keep: 1 }], "1.1.x").length, 1);
        assert.deepEqual(checkTaggedExpiry("t", [{ tagPatterns: ["pr-*", "sha-*"], keep: 3 }], "1.1.x"), []);
        assert.match(checkTaggedExpiry("t", [{ tagPatterns: ["a*b*c*d*e*f"], keep: 1 }], undefined)[0].rule, /at most four '\*' wildcards/);
    });

    it("builds the untagged rule first and numbers the rest", () => {
        const { rules } = buildLifecyclePolicy({ untaggedExpiryDays: 7, taggedExpiry: [{ tagPatterns: ["pr-*"], keep: 2 }] });
        assert.deepEqual(rules.map((r) => r.rulePriority), [1, 2]);
        assert.equal(rules[0].selection.countNumber, 7);
    });
});
