// Run by the kubelet inside a pod's network namespace (`nsenter --net=<namespace> node netnsrelay.js
// <sandbox> <port>`) for `kubectl port-forward`: it connects to localhost:<port> there, as
// containerd's port forwarder does, and relays the connection over its stdin and stdout. If nothing
// listens, it says so on stderr, in containerd's words, and exits 1.
import net from 'node:net';
import { dialErrorText } from '../shared/dialerror';

function dial(host: string, port: number): Promise<net.Socket> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host, port, family: host.includes(':') ? 6 : 4 });
    socket.once('connect', () => resolve(socket));
    socket.once('error', reject);
  });
}

async function main(): Promise<void> {
  const [sandboxId, portArg] = process.argv.slice(2);
  const port = Number(portArg);
  let socket: net.Socket;
  try {
    socket = await dial('127.0.0.1', port);
  } catch (err4) {
    try {
      socket = await dial('::1', port);
    } catch (err6) {
      process.stderr.write(
        `failed to connect to localhost:${port} inside namespace "${sandboxId}", IPv4: ${dialErrorText('tcp4', '127.0.0.1', port, err4)} IPv6 ${dialErrorText('tcp6', '::1', port, err6)} `,
      );
      process.exit(1);
    }
  }
  process.stdin.pipe(socket); // the client's end half-closes the connection
  socket.pipe(process.stdout);
  socket.on('error', () => process.exit(1));
  socket.on('close', () => process.stdout.end(() => process.exit(0)));
}

void main();
