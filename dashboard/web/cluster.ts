// Cluster: the control plane's components with their health and who leads, then one row per node with its
// conditions, capacity and what its pods request, and the pods inside it; pods no node holds yet on top,
// each with the scheduler's reason in plain words.
import type { NodeView, PodView } from '../views';
import type { App, View } from './app';
import { age, formatBytes, formatCPU, h } from './dom';
import { VirtualList } from './virtuallist';

const CHIP_WIDTH = 196;
const CHIP_HEIGHT = 30;
const NODE_HEADER = 92;

/** A pod's colour class: what it is doing, in one word. */
export function podTone(p: PodView): string {
  if (p.deleting) return 'tone-leaving';
  if (p.phase === 'Succeeded') return 'tone-done';
  if (p.phase === 'Failed' || /BackOff|Err|Error|OOM/.test(p.status)) return 'tone-bad';
  if (p.ready) return 'tone-good';
  return 'tone-wait';
}

export function podLabel(p: PodView): string {
  return `pod ${p.namespace}/${p.name}: ${p.status}, ${p.readyCount}/${p.containerCount} ready, ${p.restarts} restart${p.restarts === 1 ? '' : 's'}`;
}

/** A pod name that fits a chip: its end, which tells pods of one ReplicaSet apart. */
const shortName = (name: string) => (name.length > 17 ? `…${name.slice(-15)}` : name);

export function podChip(app: App, p: PodView): HTMLElement {
  const selected = app.selection?.kind === 'Pod' && app.selection.key === p.key;
  return h(
    'button',
    {
      class: `pod-chip ${podTone(p)}${selected ? ' selected' : ''}`,
      'aria-label': podLabel(p),
      title: `${podLabel(p)}${p.why ? `\n${p.why}` : ''}`,
      'aria-pressed': selected ? 'true' : 'false',
      dataset: { focusKey: `Pod/${p.key}`, pod: p.key, status: p.status },
      onclick: () => app.select({ kind: 'Pod', key: p.key }),
    },
    h('span', { class: 'dot', 'aria-hidden': 'true' }),
    h('span', { class: 'pod-name' }, shortName(p.name)),
    h('span', { class: 'pod-status' }, p.status),
  );
}

interface Row {
  key: string;
  node?: NodeView;
  pods: PodView[];
}

export class ClusterView implements View {
  readonly el = h('section', { class: 'view cluster', 'aria-label': 'Cluster' });
  private readonly components = h('div', { class: 'components', role: 'list', 'aria-label': 'Control plane' });
  private readonly pending = h('div', { class: 'pending', 'aria-label': 'Pods no node holds' });
  private readonly viewport = h('div', { class: 'viewport', role: 'list', 'aria-label': 'Nodes' });
  private readonly list: VirtualList<Row>;
  private seen = -1;
  private selected = '';

  constructor(private readonly app: App) {
    this.el.append(this.components, this.pending, this.viewport);
    this.list = new VirtualList<Row>(this.viewport, {
      key: (r) => r.key,
      height: (r, width) =>
        NODE_HEADER + Math.ceil(Math.max(1, r.pods.length) / Math.max(1, Math.floor((width - 24) / CHIP_WIDTH))) * CHIP_HEIGHT + 16,
      render: (r, prev) => this.nodeRow(r, prev),
      same: (a, b) => a.node === b.node && a.pods.length === b.pods.length && a.pods.every((p, i) => p === b.pods[i]),
    });
  }

  update(): void {
    const store = this.app.store;
    if (this.seen === store.version) return;
    this.seen = store.version;
    const selected = `${this.app.selection?.kind}/${this.app.selection?.key}`;
    if (selected !== this.selected) this.list.invalidate();
    this.selected = selected;
    this.components.replaceChildren(...this.componentCards());
    const unscheduled = store.unscheduled();
    this.pending.replaceChildren(
      ...(unscheduled.length
        ? [
            h('h2', null, `Not on a node yet (${unscheduled.length})`),
            h(
              'ul',
              { class: 'pending-list' },
              ...unscheduled.slice(0, 50).map((p) => h('li', null, podChip(this.app, p), h('span', { class: 'why' }, p.why ?? ''))),
            ),
            ...(unscheduled.length > 50 ? [h('p', null, `and ${unscheduled.length - 50} more`)] : []),
          ]
        : []),
    );
    const nodes = store.list('nodes').sort((a, b) => a.name.localeCompare(b.name));
    const rows: Row[] = nodes.map((n) => ({ key: n.key, node: n, pods: store.podsOn(n.name) }));
    // Pods bound to a node the dashboard does not know (deleted, or nodes not readable).
    const known = new Set(nodes.map((n) => n.name));
    for (const p of store.list('pods')) {
      if (!p.node || known.has(p.node)) continue;
      known.add(p.node);
      rows.push({ key: `?${p.node}`, pods: store.podsOn(p.node) });
    }
    if (store.problems.nodes) this.pending.append(h('p', { class: 'problem' }, `Nodes cannot be shown: ${store.problems.nodes}`));
    this.list.setItems(rows);
  }

  private componentCards(): HTMLElement[] {
    const store = this.app.store;
    const cards = store
      .list('components')
      .sort((a, b) => a.name.localeCompare(b.name))
      .map((c) =>
        h(
          'div',
          { class: `component ${c.healthy ? 'tone-good' : 'tone-bad'}`, role: 'listitem' },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          h('strong', null, c.name),
          h('span', { class: 'health' }, c.healthy ? 'healthy' : 'unhealthy'),
          h('span', { class: 'message' }, c.message),
        ),
      );
    if (store.problems.leases)
      cards.push(h('div', { class: 'component problem', role: 'listitem' }, `Leases cannot be read: ${store.problems.leases}`));
    return cards;
  }

  /** The chips a row shows, by pod key, with the view each was drawn from: unchanged pods keep their chip. */
  private readonly chips = new WeakMap<HTMLElement, Map<string, { view: PodView; el: HTMLElement }>>();

  private podChips(
    row: HTMLElement | undefined,
    pods: PodView[],
  ): { els: HTMLElement[]; kept: Map<string, { view: PodView; el: HTMLElement }> } {
    const old = (row && this.chips.get(row)) ?? new Map<string, { view: PodView; el: HTMLElement }>();
    const kept = new Map<string, { view: PodView; el: HTMLElement }>();
    const els = pods.map((p) => {
      const o = old.get(p.key);
      const el = o && o.view === p ? o.el : podChip(this.app, p);
      kept.set(p.key, { view: p, el });
      return el;
    });
    return { els, kept };
  }

  private nodeRow(r: Row, prev: HTMLElement | undefined): HTMLElement {
    // A redraw for a new selection draws every chip again (the selected one is outlined).
    const { els, kept } = this.podChips(prev && prev.dataset.selection === this.selected ? prev : undefined, r.pods);
    const n = r.node;
    const requested = r.pods
      .filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed')
      .reduce((sum, p) => ({ cpu: sum.cpu + p.requests.cpu, memory: sum.memory + p.requests.memory }), { cpu: 0, memory: 0 });
    const bad = n?.conditions.filter((c) => (c.type === 'Ready' ? c.status !== 'True' : c.status === 'True')) ?? [];
    const selected = this.app.selection?.kind === 'Node' && this.app.selection.key === r.key;
    const name = n?.name ?? r.key.slice(1);
    const row = h(
      'article',
      { class: `node${selected ? ' selected' : ''}`, role: 'listitem', 'aria-label': `node ${name}`, dataset: { node: name } },
      h(
        'header',
        null,
        h(
          'button',
          {
            class: `node-name ${n?.ready === 'True' ? 'tone-good' : 'tone-bad'}`,
            dataset: { focusKey: `Node/${r.key}` },
            onclick: () => n && this.app.select({ kind: 'Node', key: n.key }),
          },
          h('span', { class: 'dot', 'aria-hidden': 'true' }),
          name,
        ),
        h('span', { class: 'ready' }, n ? (n.ready === 'True' ? 'Ready' : n.ready === 'False' ? 'NotReady' : 'Unknown') : 'not known'),
        n?.unschedulable ? h('span', { class: 'badge' }, 'SchedulingDisabled') : null,
        ...bad.filter((c) => c.type !== 'Ready').map((c) => h('span', { class: 'badge tone-bad' }, c.type)),
        n ? h('span', { class: 'meta' }, `${n.address ?? ''} ${n.kubeletVersion ?? ''}`) : null,
      ),
      n
        ? h(
            'div',
            { class: 'capacity' },
            meter('CPU requested', requested.cpu, n.allocatable.cpu, `${formatCPU(requested.cpu)} of ${formatCPU(n.allocatable.cpu)}`),
            meter(
              'memory requested',
              requested.memory,
              n.allocatable.memory,
              `${formatBytes(requested.memory)} of ${formatBytes(n.allocatable.memory)}`,
            ),
            meter('pods', r.pods.length, n.allocatable.pods, `${r.pods.length} of ${n.allocatable.pods}`),
          )
        : h('div', { class: 'capacity' }),
      h('div', { class: 'pods', role: 'list', 'aria-label': `pods on ${name}` }, ...els),
    );
    row.dataset.selection = this.selected;
    this.chips.set(row, kept);
    return row;
  }
}

function meter(label: string, value: number, max: number, text: string): HTMLElement {
  const pct = max > 0 ? Math.min(100, Math.round((value / max) * 100)) : 0;
  return h(
    'div',
    { class: 'meter' },
    h('span', { class: 'meter-label' }, `${label}: ${text}`),
    h('span', {
      class: `meter-bar${pct > 90 ? ' tone-bad' : ''}`,
      role: 'meter',
      'aria-label': label,
      'aria-valuemin': 0,
      'aria-valuemax': max,
      'aria-valuenow': value,
      style: `--pct:${pct}%`,
    }),
  );
}

export const since = (t?: string) => (t ? `${age(t)} ago` : '');
