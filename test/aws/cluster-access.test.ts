import { strict as assert } from "node:assert";
import { accessEntryKey, accessPolicyArn, checkClusterAccessPrincipals, checkPrincipalArn } from "../../components/aws/cluster-access.js";
import { formatProblem } from "../../components/validate.js";

describe("cluster access entries", () => {
    it("names EKS's access policies in the cluster's partition", () => {
        assert.equal(accessPolicyArn("aws", "cluster-admin"), "arn:aws:eks::aws:cluster-access-policy/AmazonEKSClusterAdminPolicy");
        assert.equal(accessPolicyArn("aws-cn", "view"), "arn:aws-cn:eks::aws:cluster-access-policy/AmazonEKSViewPolicy");
    });

    it("keys an entry by its principal, so reordering the list keeps every key", () => {
        assert.equal(accessEntryKey("arn:aws:iam::123456789012:role/ci/github-deploy"), "123456789012-role-ci-github-deploy");
        assert.notEqual(accessEntryKey("arn:aws:iam::123456789012:role/a"), accessEntryKey("arn:aws:iam::210987654321:role/a"));
    });

    it("takes IAM roles and users, and says what to give instead of a session ARN", () => {
        assert.equal(checkPrincipalArn("f", "arn:aws:iam::123456789012:role/path/to/deploy"), undefined);
        assert.equal(checkPrincipalArn("f", "arn:aws-us-gov:iam::123456789012:user/alice"), undefined);
        assert.equal(
            formatProblem(checkPrincipalArn("f", "arn:aws:sts::123456789012:assumed-role/deploy/s")!),
            'f = "arn:aws:sts::123456789012:assumed-role/deploy/s": is an STS session ARN; give the IAM role\'s ARN, arn:aws:iam::<account>:role/<name>',
        );
        assert.match(formatProblem(checkPrincipalArn("f", "deploy")!), /must be an IAM role or user ARN/);
    });

    it("refuses a principal listed twice, naming where it was first", () => {
        const arn = "arn:aws:iam::123456789012:role/ops";
        const problems = checkClusterAccessPrincipals(
            [{ principalArn: arn, access: "cluster-admin" }, { principalArn: arn, access: "view" }],
            (i) => ["admins[0]", "viewers[0]"][i],
        );
        assert.deepEqual(problems.map(formatProblem), [`viewers[0] = "${arn}": is already given access by admins[0]; EKS allows one access entry per principal`]);
    });
});
