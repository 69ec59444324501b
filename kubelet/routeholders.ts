// The kubelets of one host that need a shared host resource (the pod network's `unreachable` route), so
// that the last one to stop removes it. Each live holder listens on a unix socket named after it in a
// directory of the host; a holder counts only while its socket answers. A kubelet that was killed
// leaves its socket file behind, but nothing listens on it any more, so it is not counted: a file with
// a PID in it could not tell that, since the kubelets of compose run in PID namespaces of their own.
// The directory is per network namespace (kubelets in another namespace hold another route table).
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';

export class RouteHolders {
  private server?: net.Server;

  constructor(private readonly dir: string) {}

  /** A directory under `stateDir` for `resource` in this process's network namespace. */
  static forResource(stateDir: string, resource: string): RouteHolders {
    const netns = fs.statSync('/proc/self/ns/net').ino;
    return new RouteHolders(path.join(stateDir, `${resource.replace(/\//g, '_')}@netns-${netns}`));
  }

  /** Registers `holder` as live until release() or the end of the process. */
  async hold(holder: string): Promise<void> {
    fs.mkdirSync(this.dir, { recursive: true });
    const socket = this.socketOf(holder);
    fs.rmSync(socket, { force: true }); // this holder's own socket from before a crash
    const server = net.createServer((conn) => conn.destroy());
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(socket, resolve));
    server.unref(); // holding a route is no reason to keep the process alive
    this.server = server;
  }

  /** Drops this holder; true when no live holder is left (the caller then removes the resource). */
  async release(): Promise<boolean> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
    this.server = undefined;
    const live = await this.liveHolders();
    if (live.length === 0) fs.rmSync(this.dir, { recursive: true, force: true });
    return live.length === 0;
  }

  /** The holders whose socket answers; the sockets of dead holders are removed. */
  async liveHolders(): Promise<string[]> {
    let names: string[];
    try {
      names = fs.readdirSync(this.dir).filter((n) => n.endsWith('.sock'));
    } catch {
      return [];
    }
    const live: string[] = [];
    for (const name of names) {
      const socket = path.join(this.dir, name);
      if (await answers(socket)) live.push(name.slice(0, -'.sock'.length));
      else fs.rmSync(socket, { force: true });
    }
    return live.sort();
  }

  private socketOf(holder: string): string {
    return path.join(this.dir, `${holder}.sock`);
  }
}

const answers = (socket: string) =>
  new Promise<boolean>((resolve) => {
    const conn = net.connect(socket);
    conn.once('connect', () => {
      conn.destroy();
      resolve(true);
    });
    conn.once('error', () => resolve(false));
  });
