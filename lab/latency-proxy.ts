/**
 * A TCP proxy that holds every chunk for half of a round-trip time in each direction, so the clients
 * of the lab's SSH server (Flux's controllers) see a network's latency, as between a cluster and
 * GitHub (bandwidth is not limited). Run as its own process, so the lab's synchronous work never
 * delays the forwarding:
 *
 *     node lab/latency-proxy.ts <listen port> <target port> <round trip ms>
 */
import * as net from "node:net";

const [listenPort, targetPort, roundTripMs] = process.argv.slice(2).map(Number);
if (![listenPort, targetPort, roundTripMs].every((n) => Number.isInteger(n) && n >= 0)) {
    throw new Error("usage: latency-proxy <listen port> <target port> <round trip ms>");
}
const oneWay = roundTripMs / 2;

/** Forwards `from` to `to` with the one-way delay; chunks keep their order, since every one waits as long. */
function delayed(from: net.Socket, to: net.Socket): void {
    from.on("data", (chunk) => setTimeout(() => to.write(chunk), oneWay));
    from.on("end", () => setTimeout(() => to.end(), oneWay));
    from.on("error", () => to.destroy());
}

net.createServer((client) => {
    const server = net.connect(targetPort, "127.0.0.1");
    client.setNoDelay(true);
    server.setNoDelay(true);
    delayed(client, server);
    delayed(server, client);
}).listen(listenPort, "127.0.0.1", () => console.log(`127.0.0.1:${listenPort} -> 127.0.0.1:${targetPort}, round trip +${roundTripMs} ms`));
