/**
 * A TCP gate in front of a MySQL server, so a test can decide when a node reaches its database:
 * while closed, new connections are cut at once and every open one is cut too (the node sees a
 * MySQL that went away, and retries); open, bytes pass both ways untouched.
 */
import net from 'node:net';

export class MySqlGate {
  private readonly server: net.Server;
  private readonly sockets = new Set<net.Socket>();
  private closed = false;
  private listening: Promise<number>;

  /** `target`: the server's TCP port and host, or its Unix socket (a managed server has no TCP). */
  constructor(private readonly target: { port: number; host?: string } | { path: string }) {
    this.server = net.createServer((client) => this.accept(client));
    this.listening = new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(0, '127.0.0.1', () => {
        resolve((this.server.address() as net.AddressInfo).port);
      });
    });
  }

  /** The gate's own port (to put in a MySQL URL). */
  port(): Promise<number> {
    return this.listening;
  }

  get isClosed(): boolean {
    return this.closed;
  }

  /** Cuts every connection now and every new one until `open()`. */
  close(): void {
    this.closed = true;
    for (const s of this.sockets) s.destroy();
    this.sockets.clear();
  }

  open(): void {
    this.closed = false;
  }

  async dispose(): Promise<void> {
    this.close();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: net.Socket): void {
    if (this.closed) {
      client.destroy();
      return;
    }
    const upstream =
      'path' in this.target
        ? net.connect({ path: this.target.path })
        : net.connect(this.target.port, this.target.host ?? '127.0.0.1');
    const pair = [client, upstream];
    for (const s of pair) {
      this.sockets.add(s);
      s.on('error', () => undefined);
      s.on('close', () => {
        this.sockets.delete(s);
        for (const other of pair) other.destroy();
      });
    }
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
