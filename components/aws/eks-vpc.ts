import * as aws from "@pulumi/aws";
import * as pulumi from "@pulumi/pulumi";
import { planSubnets } from "./subnet-plan.js";

export interface EksVpcArgs {
    /** The VPC's IPv4 range. @default "10.0.0.0/16" */
    cidrBlock?: string;
    /** Availability zones to spread over. @default the first 3 available zones of the region */
    availabilityZones?: string[];
    /** Prefix length of each private (node) subnet. @default 19 (8190 addresses, room for VPC CNI pod IPs) */
    privateSubnetPrefix?: number;
    /** Prefix length of each public subnet. @default 24 */
    publicSubnetPrefix?: number;
    /** One NAT gateway for all zones (cheaper) or one per zone (survives a zone outage). @default "single" */
    natGateways?: "single" | "one-per-az";
    /** Cluster name for the `kubernetes.io/cluster/<name>` subnet tags. */
    clusterName: string;
    /** Tags on every resource. @default none */
    tags?: Record<string, string>;
}

const AZ_COUNT = 3;

/**
 * A VPC for an EKS cluster: private subnets for nodes (egress through NAT, so they reach Git over SSH
 * and ECR), public subnets for load balancers and NAT, and a default security group with no rules.
 */
export class EksVpc extends pulumi.ComponentResource {
    public readonly vpcId: pulumi.Output<string>;
    public readonly privateSubnetIds: pulumi.Output<string[]>;
    public readonly publicSubnetIds: pulumi.Output<string[]>;
    public readonly availabilityZones: pulumi.Output<string[]>;

    constructor(name: string, args: EksVpcArgs, opts?: pulumi.ComponentResourceOptions) {
        const cidrBlock = args.cidrBlock ?? "10.0.0.0/16";
        const privatePrefix = args.privateSubnetPrefix ?? 19;
        const publicPrefix = args.publicSubnetPrefix ?? 24;
        // Validates the sizes before anything is registered, whatever zones are picked later.
        const zoneCount = args.availabilityZones?.length ?? AZ_COUNT;
        planSubnets(cidrBlock, args.availabilityZones ?? Array.from({ length: zoneCount }, (_, i) => `zone-${i}`), privatePrefix, publicPrefix);
        super("eks-flux-gitops:aws:EksVpc", name, {}, opts);

        const tags = args.tags ?? {};
        const clusterTag = { [`kubernetes.io/cluster/${args.clusterName}`]: "shared" };
        const zones = args.availabilityZones
            ? pulumi.output(args.availabilityZones)
            : aws.getAvailabilityZonesOutput({ state: "available" }, { parent: this }).apply((z) => z.names.slice(0, zoneCount));

        const vpc = new aws.ec2.Vpc(`${name}`, { cidrBlock, enableDnsHostnames: true, enableDnsSupport: true, tags: { ...tags, Name: name } }, { parent: this });
        new aws.ec2.DefaultSecurityGroup(`${name}-default`, { vpcId: vpc.id, ingress: [], egress: [], tags }, { parent: this });
        const gateway = new aws.ec2.InternetGateway(`${name}`, { vpcId: vpc.id, tags }, { parent: this });
        const publicRoutes = new aws.ec2.RouteTable(`${name}-public`, { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", gatewayId: gateway.id }], tags }, { parent: this });

        // The zone count fixes the resource names; the zone names may only be known once looked up.
        const plan = zones.apply((names) => planSubnets(cidrBlock, names, privatePrefix, publicPrefix));
        const publicSubnets: aws.ec2.Subnet[] = [];
        const privateSubnets: aws.ec2.Subnet[] = [];
        const natCount = args.natGateways === "one-per-az" ? zoneCount : 1;
        const nats: aws.ec2.NatGateway[] = [];
        for (let i = 0; i < zoneCount; i++) {
            const zone = plan.apply((p) => p[i].availabilityZone);
            const publicSubnet = new aws.ec2.Subnet(
                `${name}-public-${i}`,
                { vpcId: vpc.id, availabilityZone: zone, cidrBlock: plan.apply((p) => p[i].publicCidr), mapPublicIpOnLaunch: false, tags: { ...tags, ...clusterTag, "kubernetes.io/role/elb": "1" } },
                { parent: this },
            );
            new aws.ec2.RouteTableAssociation(`${name}-public-${i}`, { subnetId: publicSubnet.id, routeTableId: publicRoutes.id }, { parent: this });
            publicSubnets.push(publicSubnet);
            if (i < natCount) {
                const address = new aws.ec2.Eip(`${name}-nat-${i}`, { domain: "vpc", tags }, { parent: this });
                nats.push(new aws.ec2.NatGateway(`${name}-nat-${i}`, { subnetId: publicSubnet.id, allocationId: address.id, tags }, { parent: this, dependsOn: [gateway] }));
            }
        }
        for (let i = 0; i < zoneCount; i++) {
            const privateSubnet = new aws.ec2.Subnet(
                `${name}-private-${i}`,
                { vpcId: vpc.id, availabilityZone: plan.apply((p) => p[i].availabilityZone), cidrBlock: plan.apply((p) => p[i].privateCidr), tags: { ...tags, ...clusterTag, "kubernetes.io/role/internal-elb": "1" } },
                { parent: this },
            );
            const routes = new aws.ec2.RouteTable(
                `${name}-private-${i}`,
                { vpcId: vpc.id, routes: [{ cidrBlock: "0.0.0.0/0", natGatewayId: nats[Math.min(i, nats.length - 1)].id }], tags },
                { parent: this },
            );
            new aws.ec2.RouteTableAssociation(`${name}-private-${i}`, { subnetId: privateSubnet.id, routeTableId: routes.id }, { parent: this });
            privateSubnets.push(privateSubnet);
        }

        this.vpcId = vpc.id;
        this.privateSubnetIds = pulumi.all(privateSubnets.map((s) => s.id));
        this.publicSubnetIds = pulumi.all(publicSubnets.map((s) => s.id));
        this.availabilityZones = zones;
        this.registerOutputs({ vpcId: this.vpcId, privateSubnetIds: this.privateSubnetIds, publicSubnetIds: this.publicSubnetIds });
    }
}
