// A userspace UDP proxy for one service port on one address, as Kubernetes' userspace proxier did it:
// each client (address:port) gets a session with its own socket, connected to the endpoint the balancer
// picked, so replies find their way back and are taken from that endpoint only. A session ends when it
// has been idle for the timeout, when the table is full and it is the least recently used, or when its
// endpoint refuses (an ICMP port unreachable: nothing listens there yet, or any more), so that the
// client's next datagram goes to an endpoint the balancer picks again instead of the same dead one.
import dgram from 'node:dgram';
import type { Clock } from '../shared/clock';
import type { Endpoint } from './loadbalancer';
import { SessionTable } from './sessiontable';
import type { ProxyHooks } from './tcpproxy';

export interface UDPProxyOptions {
  clock: Clock;
  /** A session with no datagram either way for this long is closed. */
  idleTimeoutMs: number;
  /** Sessions (one socket each) kept at once. */
  maxSessions: number;
}

/** Datagrams a session holds while its socket is still connecting; more are dropped, as a full buffer would. */
const MAX_PENDING = 64;

interface Session {
  socket: dgram.Socket;
  endpoint: Endpoint;
  /** Datagrams from the client that arrived before the socket was connected; undefined once it is. */
  pending?: Buffer[];
  closed: boolean;
}

export interface UDPProxy {
  close(): void;
}

export function listenUDP(address: string, port: number, hooks: ProxyHooks, opts: UDPProxyOptions): Promise<UDPProxy> {
  const server = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  const sessions = new SessionTable<Session>({
    max: opts.maxSessions,
    idleMs: opts.idleTimeoutMs,
    clock: opts.clock,
    close(s) {
      s.closed = true;
      s.socket.close();
      hooks.closed(s.endpoint, 0);
    },
  });

  function openSession(key: string, client: dgram.RemoteInfo, endpoint: Endpoint): Session {
    const socket = dgram.createSocket('udp4');
    const session: Session = { socket, endpoint, pending: [], closed: false };
    socket.on('message', (reply, from) => {
      // connect() makes the kernel drop datagrams from anyone else, except those that slipped in between
      // the implicit bind and the connect: those are dropped here.
      if (from.address !== endpoint.ip || from.port !== endpoint.port) return;
      if (sessions.touch(key) !== session) return;
      hooks.transferred(endpoint, 0, reply.length);
      server.send(reply, client.port, client.address);
    });
    // ECONNREFUSED (the endpoint does not listen) or any other socket error ends the session.
    socket.on('error', () => sessions.remove(key, session));
    socket.connect(endpoint.port, endpoint.ip, () => {
      if (session.closed) return;
      for (const msg of session.pending ?? []) socket.send(msg);
      session.pending = undefined;
    });
    hooks.opened(endpoint);
    return session;
  }

  server.on('message', (msg, client) => {
    const key = `${client.address}:${client.port}`;
    let session = sessions.touch(key);
    if (!session) {
      const endpoint = hooks.pick(client.address);
      if (!endpoint) return; // dropped: there is no one to answer
      session = openSession(key, client, endpoint);
      sessions.add(key, session);
    }
    if (session.pending) {
      if (session.pending.length >= MAX_PENDING) return;
      session.pending.push(msg);
    } else {
      session.socket.send(msg);
    }
    hooks.transferred(session.endpoint, msg.length, 0);
  });
  // A send to a client that went away, or the like: the listener itself carries on.
  server.on('error', () => undefined);

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.bind(port, address, () => {
      server.off('error', reject);
      resolve({
        close() {
          sessions.clear();
          server.close();
        },
      });
    });
  });
}
