// The cluster DNS server's way out: queries for names outside the cluster go to the host's resolver, each
// on its own UDP socket connected to it. A reply counts only when it comes from the address and port the
// query went to and carries the query's ID (anyone else guessing the socket's port could otherwise
// answer for the upstream). At most `maxConcurrent` queries are out at once, as CoreDNS's forward plugin
// bounds them (max_concurrent): beyond that the caller answers REFUSED at once instead of opening ever
// more sockets.
import dgram from 'node:dgram';
import fs from 'node:fs';

export interface Upstream {
  address: string;
  port: number;
}

export interface ForwarderOptions {
  maxConcurrent: number;
  timeoutMs: number;
}

/** Why an exchange brought no reply: too many queries already out, or no (valid) reply in time. */
export type NoReply = 'busy' | 'failed';

/** The host's first IPv4 nameserver, for names outside the cluster. */
export function hostNameserver(resolvConf = '/etc/resolv.conf'): Upstream | undefined {
  try {
    const address = /^nameserver\s+(\d+\.\d+\.\d+\.\d+)/m.exec(fs.readFileSync(resolvConf, 'utf8'))?.[1];
    return address ? { address, port: 53 } : undefined;
  } catch {
    return undefined;
  }
}

export class Forwarder {
  private inFlight = 0;

  constructor(
    private readonly upstream: Upstream,
    private readonly opts: ForwarderOptions,
  ) {}

  /** Sends a DNS message upstream and resolves with the reply to it. */
  exchange(query: Buffer): Promise<Buffer | NoReply> {
    if (this.inFlight >= this.opts.maxConcurrent || query.length < 2) return Promise.resolve('busy');
    this.inFlight++;
    const id = query.readUInt16BE(0);
    const socket = dgram.createSocket('udp4');
    return new Promise<Buffer | NoReply>((resolve) => {
      const timer = setTimeout(() => resolve('failed'), this.opts.timeoutMs);
      const done = (result: Buffer | NoReply) => {
        clearTimeout(timer);
        resolve(result);
      };
      socket.on('message', (reply, from) => {
        // connect() already keeps other senders out, except in the moment between bind and connect.
        if (from.address !== this.upstream.address || from.port !== this.upstream.port) return;
        if (reply.length >= 2 && reply.readUInt16BE(0) === id) done(reply);
      });
      socket.on('error', () => done('failed')); // ECONNREFUSED: nothing listens upstream
      socket.connect(this.upstream.port, this.upstream.address, () => socket.send(query));
    }).finally(() => {
      this.inFlight--;
      socket.close();
    });
  }
}
