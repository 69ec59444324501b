// How the apiserver calls a node's kubelet (logs, usage summaries, exec, attach, port-forward): HTTPS to the address and port the
// Node reports, presenting the apiserver's client certificate (--kubelet-client-certificate). Kubelets
// sign their own serving certificates, so as in Kubernetes without --kubelet-certificate-authority,
// the kubelet's certificate is not verified.
import http from 'node:http';
import https from 'node:https';
import type { Node } from '../shared/api/core';

export interface KubeletEndpoint {
  host: string;
  port: number;
}

export function kubeletEndpoint(node: Node): KubeletEndpoint | undefined {
  const host = node.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  const port = node.status?.daemonEndpoints?.kubeletEndpoint?.Port;
  return host && port ? { host, port } : undefined;
}

export class KubeletClient {
  private readonly agent: https.Agent;

  constructor(credentials: { cert?: Buffer; key?: Buffer }) {
    this.agent = new https.Agent({ keepAlive: true, cert: credentials.cert, key: credentials.key, rejectUnauthorized: false });
  }

  /**
   * Starts a request to the kubelet, to be ended by the caller, who also handles its 'response',
   * 'upgrade' and 'error' events (an upgrade request's socket leaves the agent's pool).
   */
  request(endpoint: KubeletEndpoint, method: string, path: string, headers: http.OutgoingHttpHeaders): http.ClientRequest {
    return https.request({ host: endpoint.host, port: endpoint.port, method, path, headers, agent: this.agent });
  }

  /** Starts a GET; the caller reads or pipes the response and handles 'error' on the request. */
  get(endpoint: KubeletEndpoint, path: string, onResponse: (res: http.IncomingMessage) => void, timeoutMs?: number): http.ClientRequest {
    const req = https.get({ host: endpoint.host, port: endpoint.port, path, agent: this.agent, timeout: timeoutMs }, onResponse);
    if (timeoutMs) req.on('timeout', () => req.destroy(new Error(`no answer from the kubelet within ${timeoutMs} ms`)));
    return req;
  }
}
