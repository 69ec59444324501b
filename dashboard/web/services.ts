// Services: each Service -> its endpoints -> the pods behind them, with kube-proxy's counters per endpoint
// (connections, bytes each way), so a curl loop on a NodePort is seen spreading over the pods. A counter
// that moved since the last draw flashes.
import type { EndpointAddressView, ServiceView, TrafficView } from '../views';
import type { App, View } from './app';
import { formatBytes, h } from './dom';
import { VirtualList } from './virtuallist';

interface Row {
  key: string;
  service: ServiceView;
  endpoints: { port: string; address: EndpointAddressView; traffic?: TrafficView }[];
}

export class ServicesView implements View {
  readonly el = h('section', { class: 'view services', 'aria-label': 'Services' });
  private readonly viewport = h('div', { class: 'viewport', role: 'list', 'aria-label': 'Services' });
  private readonly list: VirtualList<Row>;
  /** The connection counts last drawn, by traffic key: what flashes. */
  private readonly lastDrawn = new Map<string, number>();
  private seen = '';

  constructor(private readonly app: App) {
    this.el.append(this.viewport);
    this.list = new VirtualList<Row>(this.viewport, {
      key: (r) => r.key,
      height: (r) => 74 + 30 * Math.max(1, r.endpoints.length),
      render: (r) => this.row(r),
      same: (a, b) =>
        a.service === b.service &&
        a.endpoints.length === b.endpoints.length &&
        a.endpoints.every((e, i) => e.address === b.endpoints[i].address && e.traffic === b.endpoints[i].traffic),
    });
  }

  update(): void {
    const store = this.app.store;
    const seen = `${store.version}|${this.app.selection?.key ?? ''}`;
    if (seen === this.seen) return;
    if (this.seen.split('|')[1] !== seen.split('|')[1]) this.list.invalidate();
    this.seen = seen;
    const rows: Row[] = store
      .list('services')
      .sort((a, b) => a.key.localeCompare(b.key))
      .map((service) => {
        const ep = store.map('endpoints').get(service.key);
        const traffic = store.trafficFor(service.key);
        const endpoints: Row['endpoints'] = [];
        for (const port of ep?.ports ?? [])
          for (const address of port.addresses)
            endpoints.push({
              port: port.name ?? '',
              address,
              traffic: traffic.find((t) => t.endpoint === `${address.ip}:${port.port}` && t.service.endsWith(`:${port.name ?? ''}`)),
            });
        return { key: service.key, service, endpoints };
      });
    this.list.setItems(rows);
  }

  private row(r: Row): HTMLElement {
    const svc = r.service;
    const total = r.endpoints.reduce((n, e) => n + (e.traffic?.connections ?? 0), 0);
    const ports = svc.ports
      .map((p) => `${p.name ? `${p.name} ` : ''}${p.port}${p.nodePort ? `:${p.nodePort}` : ''}/${p.protocol} → ${p.targetPort}`)
      .join(', ');
    const selector = Object.entries(svc.selector)
      .map(([k, v]) => `${k}=${v}`)
      .join(',');
    const selected = this.app.selection?.kind === 'Service' && this.app.selection.key === svc.key;
    return h(
      'article',
      {
        class: `service${selected ? ' selected' : ''}`,
        role: 'listitem',
        'aria-label': `service ${svc.key}`,
        dataset: { service: svc.key },
      },
      h(
        'header',
        null,
        h(
          'button',
          {
            class: 'svc-name',
            dataset: { focusKey: `Service/${svc.key}` },
            onclick: () => this.app.select({ kind: 'Service', key: svc.key }),
          },
          `${svc.namespace} / ${svc.name}`,
        ),
        h('span', { class: 'badge' }, svc.type),
        h('span', { class: 'meta' }, `${svc.clusterIP ?? ''}  ${ports}`),
        h('span', { class: 'meta' }, selector ? `selects ${selector}` : 'no selector'),
      ),
      r.endpoints.length
        ? h(
            'table',
            { class: 'endpoints' },
            h(
              'thead',
              null,
              h(
                'tr',
                null,
                ...['endpoint', 'pod', 'node', 'ready', 'connections', 'share', 'bytes to pod', 'bytes back'].map((t) =>
                  h('th', { scope: 'col' }, t),
                ),
              ),
            ),
            h(
              'tbody',
              null,
              ...r.endpoints.map((e) => {
                const t = e.traffic;
                const connections = t?.connections ?? 0;
                const moved = t && this.lastDrawn.has(t.key) && this.lastDrawn.get(t.key)! < connections;
                if (t) this.lastDrawn.set(t.key, connections);
                const share = total ? Math.round((connections / total) * 100) : 0;
                const podKey = e.address.pod ? `${svc.namespace}/${e.address.pod}` : undefined;
                return h(
                  'tr',
                  { class: moved ? 'moved' : '', dataset: { endpoint: t?.endpoint ?? e.address.ip } },
                  h('td', null, t?.endpoint ?? e.address.ip),
                  h(
                    'td',
                    null,
                    podKey
                      ? h(
                          'button',
                          {
                            class: 'link',
                            dataset: { focusKey: `ep/${podKey}` },
                            onclick: () => this.app.select({ kind: 'Pod', key: podKey }),
                          },
                          e.address.pod!,
                        )
                      : '',
                  ),
                  h('td', null, e.address.node ?? ''),
                  h('td', null, e.address.ready ? 'ready' : 'not ready'),
                  h('td', { class: 'num', dataset: { connections: String(connections) } }, connections),
                  h('td', null, h('span', { class: 'share', style: `--pct:${share}%`, 'aria-label': `${share}% of connections` })),
                  h('td', { class: 'num' }, formatBytes(t?.bytesIn ?? 0)),
                  h('td', { class: 'num' }, formatBytes(t?.bytesOut ?? 0)),
                );
              }),
            ),
          )
        : h('p', { class: 'why' }, 'No endpoints: no ready pod matches the selector, so connections are refused.'),
    );
  }
}
