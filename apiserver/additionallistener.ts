// One more address the API is served on, besides --bind-address (not in Kubernetes, whose apiserver has
// one): on a one-machine cluster (`npm run up`, docker compose) kubectl uses 127.0.0.1, which cannot be
// in the kubernetes Service's endpoints (loopback), so the apiserver advertises the pod bridge's gateway
// and listens there too; pods reach it through the ClusterIP. That address exists only once a kubelet has
// made the pod network, after the apiserver is up: until then binding fails with EADDRNOTAVAIL, and the
// listener tries again each second. Its connections are handed to the same HTTPS server, so they get the
// same TLS, handlers and upgrades (exec, watch) as those of the main address.
import net from 'node:net';
import type https from 'node:https';
import type { Logger } from '../shared/log';

const RETRY_MS = 1000;

/** Serves `server` on address:port as soon as this machine has the address; stops trying once `signal` aborts. */
export function listenWhenAddressExists(server: https.Server, address: string, port: number, log: Logger, signal: AbortSignal): net.Server {
  const listener = net.createServer((socket) => server.emit('connection', socket));
  let waitingLogged = false;
  const tryListen = () => {
    if (!signal.aborted) listener.listen(port, address);
  };
  listener.on('listening', () => log.info({ address: `${address}:${port}` }, 'serving the Kubernetes API on the additional address'));
  listener.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code !== 'EADDRNOTAVAIL') return log.error({ err, address: `${address}:${port}` }, 'cannot serve on the additional address');
    if (!waitingLogged)
      log.info({ address }, 'the additional address is not on this machine yet (a kubelet makes the pod network); waiting');
    waitingLogged = true;
    setTimeout(tryListen, RETRY_MS).unref();
  });
  signal.addEventListener('abort', () => listener.close());
  tryListen();
  return listener;
}
