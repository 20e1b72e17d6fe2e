import * as crypto from "node:crypto";
import * as fs from "node:fs";
import { KubeClient, type KubeObject } from "./kube.js";
import { freePort, waitFor, type ProcessGroup } from "./processes.js";

export interface LabCluster {
    kube: KubeClient;
    /** A kubeconfig file for the controllers (token auth, the apiserver's own CA). */
    kubeconfig: string;
}

/**
 * etcd and kube-apiserver on 127.0.0.1: enough of a cluster for Flux's controllers, which only talk
 * to the API. Deployments roll out once startWorkloads has added the controllers and a node.
 */
export async function startCluster(group: ProcessGroup, bin: (name: string) => string, runDir: string): Promise<LabCluster> {
    const etcdClient = await freePort();
    const etcdPeer = await freePort();
    group.start(
        "etcd",
        bin("etcd"),
        [
            "--name=lab",
            `--data-dir=${runDir}/etcd`,
            `--listen-client-urls=http://127.0.0.1:${etcdClient}`,
            `--advertise-client-urls=http://127.0.0.1:${etcdClient}`,
            `--listen-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-advertise-peer-urls=http://127.0.0.1:${etcdPeer}`,
            `--initial-cluster=lab=http://127.0.0.1:${etcdPeer}`,
            "--listen-metrics-urls=",
            "--unsafe-no-fsync",
        ],
        { ports: [etcdClient, etcdPeer] },
    );

    const { privateKey, publicKey } = crypto.generateKeyPairSync("rsa", { modulusLength: 2048 });
    fs.writeFileSync(`${runDir}/sa.key`, privateKey.export({ type: "pkcs8", format: "pem" }));
    fs.writeFileSync(`${runDir}/sa.pub`, publicKey.export({ type: "spki", format: "pem" }));
    const token = crypto.randomBytes(24).toString("hex");
    fs.writeFileSync(`${runDir}/tokens.csv`, `${token},lab-admin,lab-admin,system:masters\n`);
    const apiPort = await freePort();
    group.start(
        "kube-apiserver",
        bin("kube-apiserver"),
        [
            `--etcd-servers=http://127.0.0.1:${etcdClient}`,
            "--bind-address=127.0.0.1",
            "--advertise-address=127.0.0.1",
            `--secure-port=${apiPort}`,
            `--cert-dir=${runDir}/apiserver`,
            `--token-auth-file=${runDir}/tokens.csv`,
            "--authorization-mode=RBAC",
            `--service-account-key-file=${runDir}/sa.pub`,
            `--service-account-signing-key-file=${runDir}/sa.key`,
            "--service-account-issuer=https://kubernetes.default.svc",
            "--service-cluster-ip-range=10.96.0.0/24",
            // No controller mints service-account tokens or default accounts here, and no node
            // lifecycle controller would lift the not-ready taint new nodes get.
            "--disable-admission-plugins=ServiceAccount,TaintNodesByCondition",
            "--enable-priority-and-fairness=false",
        ],
        { ports: [apiPort] },
    );
    const caFile = `${runDir}/apiserver/apiserver.crt`;
    await waitFor("kube-apiserver's serving certificate", 120_000, async () => (fs.existsSync(caFile) ? true : undefined), undefined, group);
    const kube = new KubeClient(`https://127.0.0.1:${apiPort}`, token, fs.readFileSync(caFile, "utf8"));
    await waitFor("kube-apiserver /readyz", 120_000, async () => ((await kube.request("GET", "/readyz")).status === 200 ? true : undefined), undefined, group);
    const kubeconfig = `${runDir}/kubeconfig`;
    fs.writeFileSync(
        kubeconfig,
        JSON.stringify({
            apiVersion: "v1",
            kind: "Config",
            clusters: [{ name: "lab", cluster: { server: `https://127.0.0.1:${apiPort}`, "certificate-authority": caFile } }],
            users: [{ name: "lab", user: { token } }],
            contexts: [{ name: "lab", context: { cluster: "lab", user: "lab" } }],
            "current-context": "lab",
        }),
    );
    return { kube, kubeconfig };
}

/** Applies CustomResourceDefinitions and waits until the server serves each of them. */
export async function installCrds(kube: KubeClient, crds: KubeObject[]): Promise<void> {
    for (const crd of crds) {
        await kube.apply(crd);
    }
    for (const crd of crds) {
        await waitFor(`CRD ${crd.metadata.name} Established`, 60_000, async () => {
            const current = await kube.get("apiextensions.k8s.io/v1", "CustomResourceDefinition", crd.metadata.name);
            return current?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Established" && c.status === "True") ? true : undefined;
        });
    }
}

export const FAKE_NODE = "kwok-node-0";

/**
 * What makes Deployments really roll out and objects really go: kube-controller-manager's deployment,
 * replicaset, endpoints, garbage-collector and namespace controllers, kube-scheduler, and KWOK playing the kubelet of one fake node (pods are scheduled
 * onto it and reported Running and Ready; no container runs).
 */
export async function startWorkloads(group: ProcessGroup, bin: (name: string) => string, runDir: string, cluster: LabCluster): Promise<void> {
    group.start(
        "kube-controller-manager",
        bin("kube-controller-manager"),
        [
            `--kubeconfig=${cluster.kubeconfig}`,
            // Endpoints, for the provider's Service await; the garbage collector and the namespace
            // controller, for the foreground deletes `pulumi destroy` makes (their finalizers need them).
            "--controllers=deployment-controller,replicaset-controller,endpoints-controller,garbage-collector-controller,namespace-controller",
            "--leader-elect=false",
            "--secure-port=0",
            "--concurrent-deployment-syncs=2",
        ],
        {},
    );
    group.start("kube-scheduler", bin("kube-scheduler"), [`--kubeconfig=${cluster.kubeconfig}`, "--leader-elect=false", "--secure-port=0"], {});
    const kwokPort = await freePort();
    group.start(
        "kwok",
        bin("kwok"),
        [
            `--kubeconfig=${cluster.kubeconfig}`,
            `--config=${bin("kwok-stages.yaml")}`,
            "--manage-nodes-with-label-selector=type=kwok",
            `--server-address=127.0.0.1:${kwokPort}`,
            "--node-ip=127.0.0.1",
        ],
        { env: { HOME: runDir }, ports: [kwokPort] },
    );
    await cluster.kube.apply({
        apiVersion: "v1",
        kind: "Node",
        metadata: { name: FAKE_NODE, labels: { type: "kwok", "kubernetes.io/hostname": FAKE_NODE, "kubernetes.io/os": "linux", "kubernetes.io/arch": "amd64" }, annotations: { "kwok.x-k8s.io/node": "fake" } },
    });
    await waitFor(`Node ${FAKE_NODE} Ready`, 60_000, async () => {
        const node = await cluster.kube.get("v1", "Node", FAKE_NODE);
        return node?.status?.conditions?.some((c: { type: string; status: string }) => c.type === "Ready" && c.status === "True") ? true : undefined;
    }, undefined, group);
}
