// How the kubelet reaches a pod's port for `kubectl port-forward`. Kubernetes connects to localhost:<port>
// inside the pod's network namespace, so a server the pod binds to 127.0.0.1 only is reachable too. Node
// cannot enter a namespace itself, so, like dockershim (which ran `nsenter ... socat`), the kubelet runs
// a small relay there: `nsenter --net=<the sandbox's namespace> node netnsrelay.js` (nsenter is in
// util-linux). A kubelet that cannot open the namespace (not root, or in a container that does not see
// the engine's /var/run/docker) dials the pod IP instead, which reaches what listens on the pod's address.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import type { Duplex } from 'node:stream';
import { dialErrorText } from '../shared/dialerror';

const RELAY = path.join(__dirname, 'netnsrelay.js');

export interface PodNetwork {
  sandboxId: string;
  /** A path naming the sandbox's network namespace, if the engine gives one. */
  netns?: string;
  ip?: string;
}

const canOpen = (file: string | undefined): file is string => {
  if (!file) return false;
  try {
    fs.accessSync(file, fs.constants.R_OK);
    return true;
  } catch {
    return false;
  }
};

/** Joins `stream` to `port` of the pod until both sides are done; rejects with why the port could not be reached. */
export function dialPodPort(pod: PodNetwork, port: number, stream: Duplex): Promise<void> {
  if (canOpen(pod.netns)) return relayInNamespace(pod.netns, pod.sandboxId, port, stream);
  if (pod.ip) return dialPodIP(pod.ip, port, stream);
  return Promise.reject(new Error(`pod sandbox ${pod.sandboxId} has neither a network namespace the kubelet can enter nor an IP`));
}

function relayInNamespace(netns: string, sandboxId: string, port: number, stream: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const relay = spawn('nsenter', [`--net=${netns}`, '--', process.execPath, RELAY, sandboxId, String(port)], { stdio: 'pipe' });
    let stderr = '';
    relay.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4096)));
    stream.pipe(relay.stdin);
    relay.stdout.pipe(stream);
    relay.stdin.on('error', () => undefined); // the relay is gone: its exit says why
    const stop = () => relay.kill();
    stream.on('close', stop);
    relay.on('error', (err) => reject(new Error(`failed to execute portforward in network namespace "${netns}": ${err.message}`)));
    relay.on('close', (code) => {
      stream.off('close', stop);
      if (code === 0 || code === null) resolve();
      else
        reject(
          new Error(`failed to execute portforward in network namespace "${netns}": ${stderr.trim() ? stderr : `exit status ${code}`}`),
        );
    });
  });
}

function dialPodIP(ip: string, port: number, stream: Duplex): Promise<void> {
  return new Promise((resolve, reject) => {
    const socket = net.connect({ host: ip, port });
    socket.once('error', (err) =>
      reject(new Error(`failed to connect to ${ip}:${port}, the pod's IP: ${dialErrorText('tcp', ip, port, err)}`)),
    );
    socket.once('connect', () => {
      stream.pipe(socket);
      socket.pipe(stream);
      socket.on('close', () => resolve());
      stream.on('close', () => socket.destroy());
    });
  });
}
