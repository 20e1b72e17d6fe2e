import { strict as assert } from "node:assert";
import * as fc from "fast-check";
import { EksVpc } from "../../components/aws/eks-vpc.js";
import { planSubnets } from "../../components/aws/subnet-plan.js";
import { parseCidr } from "../../components/validate.js";
import { MockCloud, settled, useMockCloud, valueOf } from "../../testing/mock-cloud.js";

function range(cidr: string): [number, number] {
    const { address, prefix } = parseCidr(cidr)!;
    const start = address.split(".").reduce((t, o) => t * 256 + Number(o), 0);
    return [start, start + 2 ** (32 - prefix)];
}

describe("subnet plan", () => {
    it("gives the seed VPC three /19 private and three /24 public subnets", () => {
        assert.deepEqual(planSubnets("10.0.0.0/16", ["a", "c", "d"], 19, 24), [
            { availabilityZone: "a", privateCidr: "10.0.0.0/19", publicCidr: "10.0.96.0/24" },
            { availabilityZone: "c", privateCidr: "10.0.32.0/19", publicCidr: "10.0.97.0/24" },
            { availabilityZone: "d", privateCidr: "10.0.64.0/19", publicCidr: "10.0.98.0/24" },
        ]);
    });

    it("never overlaps, stays inside the VPC and aligns every subnet on its size", () => {
        fc.assert(
            fc.property(
                fc.integer({ min: 16, max: 24 }),
                fc.integer({ min: 1, max: 6 }),
                fc.integer({ min: 1, max: 8 }),
                fc.integer({ min: 1, max: 8 }),
                (vpcPrefix, zones, privateExtra, publicExtra) => {
                    const privatePrefix = Math.min(28, vpcPrefix + privateExtra);
                    const publicPrefix = Math.min(28, vpcPrefix + publicExtra);
                    const vpc = `10.0.0.0/${vpcPrefix}`;
                    let plan;
                    try {
                        plan = planSubnets(vpc, Array.from({ length: zones }, (_, i) => `z${i}`), privatePrefix, publicPrefix);
                    } catch {
                        return zones * (2 ** (32 - privatePrefix) + 2 ** (32 - publicPrefix)) > 2 ** (32 - vpcPrefix) || privatePrefix === vpcPrefix || publicPrefix === vpcPrefix;
                    }
                    const [vpcStart, vpcEnd] = range(vpc);
                    const blocks = plan.flatMap((p) => [p.privateCidr, p.publicCidr]).map(range).sort((a, b) => a[0] - b[0]);
                    return blocks.every(([s, e], i) => s >= vpcStart && e <= vpcEnd && s % (e - s) === 0 && (i === 0 || blocks[i - 1][1] <= s));
                },
            ),
        );
    });

    it("names the field when the subnets cannot fit", () => {
        assert.throws(() => planSubnets("10.0.0.0/16", ["a", "b", "c"], 17, 24), /privateSubnetPrefix = 17: 3 private \/17 and public \/24 subnets need 99072 addresses, more than the VPC's 65536/);
        assert.throws(() => planSubnets("10.0.0.0/8", ["a"], 19, 24), /cidrBlock = "10.0.0.0\/8": must have a prefix between \/16 and \/28/);
        assert.throws(() => planSubnets("10.0.0.1/16", ["a"], 19, 24), /must start on a \/16 boundary/);
        assert.throws(() => planSubnets("10.0.0.0/16", ["a"], 30, 24), /privateSubnetPrefix = 30: must be a whole prefix length longer than the VPC's \/16 and at most \/28/);
    });
});

describe("EksVpc", () => {
    it("routes each private subnet through NAT and public ones through the internet gateway, with EKS tags", async () => {
        const cloud = await useMockCloud(new MockCloud());
        const vpc = new EksVpc("net", { clusterName: "mz-k8s", natGateways: "one-per-az" });
        assert.deepEqual(await valueOf(vpc.availabilityZones), ["ap-northeast-1a", "ap-northeast-1c", "ap-northeast-1d"]);
        assert.deepEqual(await valueOf(vpc.privateSubnetIds), ["net-private-0-id", "net-private-1-id", "net-private-2-id"]);
        await settled(cloud);
        const subnet = (n: string) => cloud.get("aws:ec2/subnet:Subnet", n).inputs;
        assert.equal(subnet("net-private-1").cidrBlock, "10.0.32.0/19");
        assert.equal(subnet("net-private-1").availabilityZone, "ap-northeast-1c");
        assert.equal(subnet("net-private-1").tags["kubernetes.io/role/internal-elb"], "1");
        assert.equal(subnet("net-public-2").tags["kubernetes.io/role/elb"], "1");
        assert.equal(subnet("net-public-2").tags["kubernetes.io/cluster/mz-k8s"], "shared");
        assert.equal(subnet("net-public-2").mapPublicIpOnLaunch, false);
        assert.equal(cloud.ofType("aws:ec2/natGateway:NatGateway").length, 3);
        assert.deepEqual(cloud.get("aws:ec2/routeTable:RouteTable", "net-private-2").inputs.routes, [{ cidrBlock: "0.0.0.0/0", natGatewayId: "net-nat-2-id" }]);
        assert.deepEqual(cloud.get("aws:ec2/routeTable:RouteTable", "net-public").inputs.routes, [{ cidrBlock: "0.0.0.0/0", gatewayId: "net-id" }]);
        const defaultGroup = cloud.get("aws:ec2/defaultSecurityGroup:DefaultSecurityGroup", "net-default").inputs;
        assert.deepEqual([defaultGroup.ingress, defaultGroup.egress], [[], []]);
    });

    it("shares one NAT gateway by default", async () => {
        const cloud = await useMockCloud(new MockCloud());
        new EksVpc("net", { clusterName: "c", availabilityZones: ["ap-northeast-1a", "ap-northeast-1c"] });
        await settled(cloud);
        assert.equal(cloud.ofType("aws:ec2/natGateway:NatGateway").length, 1);
        assert.equal(cloud.ofType("aws:ec2/subnet:Subnet").length, 4);
        assert.deepEqual(cloud.get("aws:ec2/routeTable:RouteTable", "net-private-1").inputs.routes, [{ cidrBlock: "0.0.0.0/0", natGatewayId: "net-nat-0-id" }]);
        assert.ok(!cloud.invocations.some((i) => i.token.includes("getAvailabilityZones")));
    });
});
