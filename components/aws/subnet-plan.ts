import { assertValid, parseCidr, type Problem } from "../validate.js";

export interface SubnetPlan {
    availabilityZone: string;
    privateCidr: string;
    publicCidr: string;
}

function toNumber(address: string): number {
    return address.split(".").reduce((total, octet) => total * 256 + Number(octet), 0);
}

function toAddress(value: number): string {
    return [24, 16, 8, 0].map((shift) => Math.floor(value / 2 ** shift) % 256).join(".");
}

/**
 * Carves one private and one public subnet per availability zone out of the VPC's CIDR: the large
 * private subnets (nodes and pods) from the start of the range, the small public ones (load
 * balancers, NAT) after them, each aligned on its own size, none overlapping.
 */
export function planSubnets(vpcCidr: string, availabilityZones: readonly string[], privatePrefix: number, publicPrefix: number): SubnetPlan[] {
    const vpc = parseCidr(vpcCidr);
    const problems: Problem[] = [];
    if (!vpc || vpc.family !== 4) {
        problems.push({ field: "cidrBlock", value: vpcCidr, rule: "must be an IPv4 CIDR block such as 10.0.0.0/16" });
    } else if (vpc.prefix < 16 || vpc.prefix > 28) {
        problems.push({ field: "cidrBlock", value: vpcCidr, rule: "must have a prefix between /16 and /28, as AWS allows for a VPC" });
    } else if (toNumber(vpc.address) % 2 ** (32 - vpc.prefix) !== 0) {
        problems.push({ field: "cidrBlock", value: vpcCidr, rule: `must start on a /${vpc.prefix} boundary` });
    }
    for (const [field, prefix] of [["privateSubnetPrefix", privatePrefix], ["publicSubnetPrefix", publicPrefix]] as const) {
        if (!Number.isInteger(prefix) || prefix > 28 || (vpc && prefix <= vpc.prefix)) {
            problems.push({ field, value: prefix, rule: `must be a whole prefix length longer than the VPC's /${vpc?.prefix ?? "?"} and at most /28` });
        }
    }
    if (availabilityZones.length === 0) {
        problems.push({ field: "availabilityZones", value: [], rule: "must name at least one availability zone" });
    }
    if (problems.length === 0 && vpc) {
        const needed = availabilityZones.length * (2 ** (32 - privatePrefix) + 2 ** (32 - publicPrefix));
        if (needed > 2 ** (32 - vpc.prefix)) {
            problems.push({
                field: "privateSubnetPrefix",
                value: privatePrefix,
                rule: `${availabilityZones.length} private /${privatePrefix} and public /${publicPrefix} subnets need ${needed} addresses, more than the VPC's ${2 ** (32 - vpc.prefix)}`,
            });
        }
    }
    assertValid("EksVpc subnet plan", [problems]);

    const start = toNumber(vpc!.address);
    const end = start + 2 ** (32 - vpc!.prefix);
    let next = start;
    const allocate = (prefix: number): string => {
        const size = 2 ** (32 - prefix);
        next = Math.ceil(next / size) * size;
        const block = next;
        next += size;
        if (next > end) {
            assertValid("EksVpc subnet plan", [{ field: "publicSubnetPrefix", value: prefix, rule: "the subnets do not fit in the VPC once aligned; use smaller subnets" }]);
        }
        return `${toAddress(block)}/${prefix}`;
    };
    const privateCidrs = availabilityZones.map(() => allocate(privatePrefix));
    const publicCidrs = availabilityZones.map(() => allocate(publicPrefix));
    return availabilityZones.map((availabilityZone, i) => ({ availabilityZone, privateCidr: privateCidrs[i], publicCidr: publicCidrs[i] }));
}
