// A userspace UDP proxy for one service port on one address: each client (address:port) gets a session
// with its own socket to an endpoint, so replies find their way back; idle sessions expire.
import dgram from 'node:dgram';
import type { Endpoint } from './loadbalancer';
import type { ProxyHooks } from './tcpproxy';

const SESSION_IDLE_MS = 30_000;

interface Session {
  socket: dgram.Socket;
  endpoint: Endpoint;
  timer: NodeJS.Timeout;
}

export interface UDPProxy {
  close(): void;
}

export function listenUDP(address: string, port: number, hooks: ProxyHooks): Promise<UDPProxy> {
  const server = dgram.createSocket({ type: 'udp4', reuseAddr: false });
  const sessions = new Map<string, Session>();
  const endSession = (key: string) => {
    const s = sessions.get(key);
    if (!s) return;
    clearTimeout(s.timer);
    s.socket.close();
    sessions.delete(key);
    hooks.closed(s.endpoint, 0);
  };
  server.on('message', (msg, rinfo) => {
    const key = `${rinfo.address}:${rinfo.port}`;
    let session = sessions.get(key);
    if (!session) {
      const endpoint = hooks.pick(rinfo.address);
      if (!endpoint) return; // dropped: there is no one to answer
      const socket = dgram.createSocket('udp4');
      socket.on('message', (reply) => {
        server.send(reply, rinfo.port, rinfo.address);
        refresh();
      });
      socket.on('error', () => endSession(key));
      session = { socket, endpoint, timer: setTimeout(() => endSession(key), SESSION_IDLE_MS) };
      sessions.set(key, session);
      hooks.opened(endpoint);
    }
    const s = session;
    const refresh = () => {
      clearTimeout(s.timer);
      s.timer = setTimeout(() => endSession(key), SESSION_IDLE_MS);
    };
    refresh();
    s.socket.send(msg, s.endpoint.port, s.endpoint.ip);
  });
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.bind(port, address, () => {
      server.off('error', reject);
      resolve({
        close() {
          for (const key of [...sessions.keys()]) endSession(key);
          server.close();
        },
      });
    });
  });
}
