// The selected object: what it is doing and why (a pending or failing pod's reason in plain words), its
// containers, conditions and events; its YAML (read-only); and, with a token the user pasted, scale and
// delete, sent to the apiserver as that token's user.
import type { ConditionView, NodeView, PodView, ServiceView, WorkloadView } from '../views';
import type { App, Selection } from './app';
import { age, formatBytes, formatCPU, h } from './dom';
import { eventRow } from './events';

type Found =
  { kind: 'Pod'; v: PodView } | { kind: 'Node'; v: NodeView } | { kind: 'Service'; v: ServiceView } | { kind: 'Workload'; v: WorkloadView };

export class DetailsPanel {
  readonly el = h('aside', { class: 'details', 'aria-label': 'Selected object', hidden: true });
  private readonly title = h('h2', { id: 'details-title', tabindex: '-1' });
  private readonly info = h('div', { class: 'info' });
  private readonly actions = h('div', { class: 'actions' });
  private readonly yaml = h('pre', { class: 'yaml', hidden: true, tabindex: '0', 'aria-label': 'YAML' });
  private shownFor = '';
  private seen = '';

  constructor(
    private readonly app: App,
    private readonly token: () => string,
  ) {
    const close = h('button', { class: 'close', 'aria-label': 'Close details', onclick: () => this.app.select(undefined) }, '×');
    this.el.append(h('header', null, this.title, close), this.info, this.actions, this.yaml);
  }

  private find(sel: Selection): Found | undefined {
    const store = this.app.store;
    if (sel.kind === 'Pod') {
      const v = store.map('pods').get(sel.key);
      return v && { kind: 'Pod', v };
    }
    if (sel.kind === 'Node') {
      const v = store.map('nodes').get(sel.key);
      return v && { kind: 'Node', v };
    }
    if (sel.kind === 'Service') {
      const v = store.map('services').get(sel.key);
      return v && { kind: 'Service', v };
    }
    const v = store.map('workloads').get(`${sel.kind}/${sel.key}`);
    return v && { kind: 'Workload', v };
  }

  update(): void {
    const sel = this.app.selection;
    this.el.hidden = !sel;
    if (!sel) {
      this.shownFor = '';
      return;
    }
    const id = `${sel.kind}/${sel.key}`;
    const seen = `${id}|${this.app.store.version}`;
    if (seen === this.seen) return;
    this.seen = seen;
    const fresh = id !== this.shownFor;
    this.shownFor = id;
    const [namespace, name] = sel.key.includes('/') ? sel.key.split('/') : ['', sel.key];
    this.title.textContent = `${sel.kind} ${sel.key}`;
    const found = this.find(sel);
    if (fresh) {
      this.yaml.hidden = true;
      this.yaml.textContent = '';
      this.actions.replaceChildren(...this.actionControls(sel, namespace, name, found));
    }
    if (!found) {
      this.info.replaceChildren(h('p', { class: 'why' }, `${sel.kind} ${sel.key} is gone (deleted).`));
    } else {
      this.info.replaceChildren(...this.describe(found));
    }
    const events = this.app.store.eventsFor(sel.kind, namespace, name);
    this.info.append(
      h('h3', null, `Events (${events.length})`),
      events.length
        ? h('div', { class: 'event-list', role: 'list' }, ...events.slice(0, 30).map((e) => eventRow(this.app, e)))
        : h('p', null, 'none in the last hour'),
    );
    if (fresh) this.title.focus();
  }

  private describe(f: Found): Node[] {
    switch (f.kind) {
      case 'Pod': {
        const p = f.v;
        return [
          h(
            'p',
            { class: `status-line` },
            `${p.status} · ${p.readyCount}/${p.containerCount} ready · ${p.restarts} restarts · on ${p.node ?? 'no node'} · ${p.ip ?? 'no IP'} · created ${age(p.created)} ago`,
          ),
          p.why
            ? h('p', { class: 'why', role: 'status' }, p.why)
            : h('p', { class: 'fine' }, 'Running and ready: Services send it traffic.'),
          p.owner
            ? h(
                'p',
                null,
                'Owned by ',
                h(
                  'button',
                  { class: 'link', onclick: () => this.app.select({ kind: p.owner!.kind, key: `${p.namespace}/${p.owner!.name}` }) },
                  `${p.owner.kind} ${p.owner.name}`,
                ),
              )
            : null,
          h('h3', null, 'Containers'),
          h(
            'ul',
            { class: 'containers' },
            ...p.containers.map((c) =>
              h(
                'li',
                null,
                h('strong', null, `${c.init ? 'init ' : ''}${c.name}`),
                ` (${c.image}): ${c.words}; ${c.ready ? 'ready' : 'not ready'}, ${c.restarts} restarts`,
              ),
            ),
          ),
          conditionsTable(p.conditions),
        ].filter((n): n is HTMLElement => !!n);
      }
      case 'Node': {
        const n = f.v;
        const pods = this.app.store.podsOn(n.name).filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed');
        const cpu = pods.reduce((s, p) => s + p.requests.cpu, 0);
        const mem = pods.reduce((s, p) => s + p.requests.memory, 0);
        return [
          h(
            'p',
            { class: 'status-line' },
            `${n.ready === 'True' ? 'Ready' : 'NotReady'} · ${n.address ?? ''} · kubelet ${n.kubeletVersion ?? ''}`,
          ),
          h(
            'p',
            null,
            `Allocatable: ${formatCPU(n.allocatable.cpu)} CPU, ${formatBytes(n.allocatable.memory)}, ${n.allocatable.pods} pods. Requested by its ${pods.length} pods: ${formatCPU(cpu)} CPU, ${formatBytes(mem)}.`,
          ),
          n.taints.length ? h('p', null, `Taints: ${n.taints.join(', ')}`) : null,
          conditionsTable(n.conditions),
        ].filter((x): x is HTMLElement => !!x);
      }
      case 'Service': {
        const svc = f.v;
        return [
          h('p', { class: 'status-line' }, `${svc.type} ${svc.clusterIP ?? ''}`),
          h(
            'ul',
            null,
            ...svc.ports.map((p) =>
              h(
                'li',
                null,
                `${p.name ?? '(unnamed)'}: ${p.port}/${p.protocol} → ${p.targetPort}${p.nodePort ? `, node port ${p.nodePort}` : ''}`,
              ),
            ),
          ),
        ];
      }
      case 'Workload': {
        const w = f.v;
        return [
          h('p', { class: 'status-line' }, `${w.summary}${w.revision ? ` · revision ${w.revision}` : ''} · created ${age(w.created)} ago`),
          conditionsTable(w.conditions),
        ];
      }
    }
  }

  private actionControls(sel: Selection, namespace: string, name: string, found: Found | undefined): HTMLElement[] {
    const out = h('p', { class: 'result', role: 'status', 'aria-live': 'polite' });
    const call = async (path: string, body: unknown) => {
      const token = this.token();
      out.textContent = '…';
      try {
        const res = await fetch(path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
        const answer = (await res.json()) as { message?: string };
        out.textContent = res.ok ? (answer.message ?? 'done') : `Error from server (${res.status}): ${answer.message ?? res.statusText}`;
        out.className = `result ${res.ok ? 'fine' : 'why'}`;
        this.app.announce(out.textContent);
      } catch (err) {
        out.textContent = `failed: ${(err as Error).message}`;
      }
    };
    const yamlButton = h(
      'button',
      {
        onclick: async () => {
          if (!this.yaml.hidden) {
            this.yaml.hidden = true;
            return;
          }
          const q = new URLSearchParams({ kind: sel.kind, namespace, name });
          const res = await fetch(`api/yaml?${q}`);
          this.yaml.textContent = res.ok ? await res.text() : `cannot read it: ${((await res.json()) as { message: string }).message}`;
          this.yaml.hidden = false;
        },
      },
      'YAML',
    );
    const controls: HTMLElement[] = [yamlButton];
    if (found?.kind === 'Workload' && found.v.scalable) {
      const replicas = h('input', {
        type: 'number',
        min: 0,
        value: String(found.v.desired ?? 1),
        'aria-label': 'replicas',
        class: 'replicas',
      });
      controls.push(
        h(
          'form',
          {
            class: 'scale',
            onsubmit: (ev: Event) => {
              ev.preventDefault();
              void call('api/scale', { kind: sel.kind, namespace, name, replicas: Number(replicas.value) });
            },
          },
          h('label', null, 'replicas ', replicas),
          h('button', { type: 'submit' }, 'Scale'),
        ),
      );
    }
    if (found && found.kind !== 'Node')
      controls.push(
        h(
          'button',
          {
            class: 'danger',
            onclick: () => {
              if (confirm(`Delete ${sel.kind} ${sel.key}?`)) void call('api/delete', { kind: sel.kind, namespace, name });
            },
          },
          'Delete',
        ),
      );
    controls.push(out);
    return controls;
  }
}

function conditionsTable(conditions: ConditionView[]): HTMLElement {
  if (!conditions.length) return h('p', null, 'No conditions reported.');
  return h(
    'table',
    { class: 'conditions' },
    h('caption', null, 'Conditions'),
    h('thead', null, h('tr', null, ...['type', 'status', 'reason', 'message', 'since'].map((t) => h('th', { scope: 'col' }, t)))),
    h(
      'tbody',
      null,
      ...conditions.map((c) =>
        h(
          'tr',
          null,
          h('td', null, c.type),
          h('td', null, c.status),
          h('td', null, c.reason ?? ''),
          h('td', null, c.message ?? ''),
          h('td', null, age(c.since)),
        ),
      ),
    ),
  );
}
