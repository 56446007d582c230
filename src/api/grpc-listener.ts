// A listening socket (TCP or Unix) whose connections are handed to a grpc-js Server through its connection
// injector. Owning the listener, rather than letting grpc-js bind, lets shutdown destroy the connections a
// client leaves half-open after GOAWAY (grpcio does for seconds), which would otherwise keep the process alive.
import * as grpc from "@grpc/grpc-js";
import { chmod } from "node:fs/promises";
import { createServer, type AddressInfo, type Server, type Socket } from "node:net";
import { clearStaleSocket } from "./socket.js";

export type ListenTarget = { host: string; port: number } | { path: string; mode?: number };

export class GrpcListener {
  private readonly connections = new Set<Socket>();
  private readonly netServer: Server;
  /** host:port with the bound port, or the socket path; set by listen(). */
  address = "";

  private constructor(server: grpc.Server) {
    const injector = server.createConnectionInjector(grpc.ServerCredentials.createInsecure());
    this.netServer = createServer((socket) => {
      this.connections.add(socket);
      socket.once("close", () => this.connections.delete(socket));
      injector.injectConnection(socket);
    });
  }

  static async listen(server: grpc.Server, target: ListenTarget): Promise<GrpcListener> {
    const listener = new GrpcListener(server);
    const net = listener.netServer;
    if ("path" in target) {
      await clearStaleSocket(target.path);
      // umask makes the socket 0600 from its creation (no window where others could connect); chmod confirms it.
      const previous = process.umask(0o177);
      try {
        await listenOn(net, { path: target.path });
      } finally {
        process.umask(previous);
      }
      // A wider mode (0660 for a group such as hop3) is an explicit deployment choice; 0600 is the default.
      await chmod(target.path, target.mode ?? 0o600);
      listener.address = target.path;
    } else {
      await listenOn(net, { host: target.host, port: target.port });
      const port = (net.address() as AddressInfo).port;
      listener.address = target.host.includes(":") ? `[${target.host}]:${port}` : `${target.host}:${port}`;
    }
    return listener;
  }

  /** Stops accepting connections (a Unix socket file is removed); open connections stay. */
  stopAccepting(): void {
    if (this.netServer.listening) this.netServer.close();
  }

  /** Cuts every connection still open. */
  destroyConnections(): void {
    for (const socket of this.connections) socket.destroy();
  }
}

function listenOn(server: Server, options: { host: string; port: number } | { path: string }): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(options, () => {
      server.off("error", reject);
      resolve();
    });
  });
}
