// Cluster: the control plane's components with their health and who leads, then one row per node with its
// conditions, capacity and what its pods request, and the pods inside it; pods no node holds yet on top,
// each with the scheduler's reason in plain words.
import type { ComponentView, NodeView, PodView } from '../views';
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
  /** What the control plane and pending parts were last drawn from. */
  private readonly drawn: { components?: ComponentView[]; leases?: string; unscheduled?: PodView[]; nodes?: string } = {};

  constructor(private readonly app: App) {
    this.el.append(this.components, this.pending, this.viewport);
    this.list = new VirtualList<Row>(this.viewport, {
      key: (r) => r.key,
      height: (r, width) =>
        NODE_HEADER + Math.ceil(Math.max(1, r.pods.length) / Math.max(1, Math.floor((width - 24) / CHIP_WIDTH))) * CHIP_HEIGHT + 16,
      render: (r, prev) => this.nodeRow(r, prev),
      same: (a, b) => a.node === b.node && sameItems(a.pods, b.pods),
    });
  }

  update(): void {
    const store = this.app.store;
    if (this.seen === store.version) return;
    this.seen = store.version;
    const selected = `${this.app.selection?.kind}/${this.app.selection?.key}`;
    const selectionChanged = selected !== this.selected;
    if (selectionChanged) this.list.invalidate();
    this.selected = selected;
    // The control plane and the pending pods are drawn again only when what they show changed.
    const components = store.list('components');
    if (!sameItems(components, this.drawn.components) || store.problems.leases !== this.drawn.leases) {
      this.components.replaceChildren(...this.componentCards(components));
      this.drawn.components = components;
      this.drawn.leases = store.problems.leases;
    }
    const unscheduled = store.unscheduled();
    if (!sameItems(unscheduled, this.drawn.unscheduled) || store.problems.nodes !== this.drawn.nodes || selectionChanged) {
      this.pending.replaceChildren(...this.pendingPods(unscheduled));
      if (store.problems.nodes) this.pending.append(h('p', { class: 'problem' }, `Nodes cannot be shown: ${store.problems.nodes}`));
      this.drawn.unscheduled = unscheduled;
      this.drawn.nodes = store.problems.nodes;
    }
    const nodes = store.list('nodes').sort((a, b) => a.name.localeCompare(b.name));
    const rows: Row[] = nodes.map((n) => ({ key: n.key, node: n, pods: store.podsOn(n.name) }));
    // Pods bound to a node the dashboard does not know (deleted, or nodes not readable).
    const known = new Set(nodes.map((n) => n.name));
    for (const p of store.list('pods')) {
      if (!p.node || known.has(p.node)) continue;
      known.add(p.node);
      rows.push({ key: `?${p.node}`, pods: store.podsOn(p.node) });
    }
    this.list.setItems(rows);
  }

  private pendingPods(unscheduled: PodView[]): HTMLElement[] {
    if (!unscheduled.length) return [];
    return [
      h('h2', null, `Not on a node yet (${unscheduled.length})`),
      h(
        'ul',
        { class: 'pending-list' },
        ...unscheduled.slice(0, 50).map((p) => h('li', null, podChip(this.app, p), h('span', { class: 'why' }, p.why ?? ''))),
      ),
      ...(unscheduled.length > 50 ? [h('p', null, `and ${unscheduled.length - 50} more`)] : []),
    ];
  }

  private componentCards(components: ComponentView[]): HTMLElement[] {
    const store = this.app.store;
    const cards = [...components]
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

  /** What each drawn row shows, so that a redraw touches only the parts that changed. */
  private readonly parts = new WeakMap<HTMLElement, RowParts>();

  /**
   * A node row, or `prev` updated in place: a change to one pod replaces that pod's chip (and the meters,
   * when what the pods request changed), not the row, so the browser lays out and paints only that part.
   * A new selection draws the row again (the selected node or chip is outlined).
   */
  private nodeRow(r: Row, prev: HTMLElement | undefined): HTMLElement {
    const old = prev && prev.dataset.selection === this.selected ? this.parts.get(prev) : undefined;
    const chips = new Map<string, { view: PodView; el: HTMLElement }>();
    const els = r.pods.map((p) => {
      const o = old?.chips.get(p.key);
      const el = o && o.view === p ? o.el : podChip(this.app, p);
      chips.set(p.key, { view: p, el });
      return el;
    });
    const capacity = capacityOf(r);
    if (prev && old) {
      if (old.node !== r.node) prev.querySelector('header')!.replaceWith(this.nodeHeader(r));
      if (old.capacity.text !== capacity.text) prev.querySelector('.capacity')!.replaceWith(capacity.el());
      reconcile(prev.querySelector<HTMLElement>('.pods')!, els);
      this.parts.set(prev, { node: r.node, capacity, chips });
      return prev;
    }
    const selected = this.app.selection?.kind === 'Node' && this.app.selection.key === r.key;
    const name = r.node?.name ?? r.key.slice(1);
    const row = h(
      'article',
      { class: `node${selected ? ' selected' : ''}`, role: 'listitem', 'aria-label': `node ${name}`, dataset: { node: name } },
      this.nodeHeader(r),
      capacity.el(),
      h('div', { class: 'pods', role: 'list', 'aria-label': `pods on ${name}` }, ...els),
    );
    row.dataset.selection = this.selected;
    this.parts.set(row, { node: r.node, capacity, chips });
    return row;
  }

  private nodeHeader(r: Row): HTMLElement {
    const n = r.node;
    const bad = n?.conditions.filter((c) => (c.type === 'Ready' ? c.status !== 'True' : c.status === 'True')) ?? [];
    return h(
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
        n?.name ?? r.key.slice(1),
      ),
      h('span', { class: 'ready' }, n ? (n.ready === 'True' ? 'Ready' : n.ready === 'False' ? 'NotReady' : 'Unknown') : 'not known'),
      n?.unschedulable ? h('span', { class: 'badge' }, 'SchedulingDisabled') : null,
      ...bad.filter((c) => c.type !== 'Ready').map((c) => h('span', { class: 'badge tone-bad' }, c.type)),
      n ? h('span', { class: 'meta' }, `${n.address ?? ''} ${n.kubeletVersion ?? ''}`) : null,
    );
  }
}

interface RowParts {
  node?: NodeView;
  capacity: { text: string };
  /** The chips shown, by pod key, with the view each was drawn from: unchanged pods keep their chip. */
  chips: Map<string, { view: PodView; el: HTMLElement }>;
}

/** The meters of a node row: what its running pods request of what it can hold, and the text they show. */
function capacityOf(r: Row): { text: string; el: () => HTMLElement } {
  const n = r.node;
  if (!n) return { text: '', el: () => h('div', { class: 'capacity' }) };
  const requested = r.pods
    .filter((p) => p.phase !== 'Succeeded' && p.phase !== 'Failed')
    .reduce((sum, p) => ({ cpu: sum.cpu + p.requests.cpu, memory: sum.memory + p.requests.memory }), { cpu: 0, memory: 0 });
  const meters: [string, number, number, string][] = [
    ['CPU requested', requested.cpu, n.allocatable.cpu, `${formatCPU(requested.cpu)} of ${formatCPU(n.allocatable.cpu)}`],
    [
      'memory requested',
      requested.memory,
      n.allocatable.memory,
      `${formatBytes(requested.memory)} of ${formatBytes(n.allocatable.memory)}`,
    ],
    ['pods', r.pods.length, n.allocatable.pods, `${r.pods.length} of ${n.allocatable.pods}`],
  ];
  return {
    text: meters.map((m) => m.slice(0, 3).join(' ')).join('|'),
    el: () => h('div', { class: 'capacity' }, ...meters.map((m) => meter(...m))),
  };
}

const sameItems = <T>(a: T[], b: T[] | undefined) => !!b && a.length === b.length && a.every((x, i) => x === b[i]);

/** Makes `parent`'s children `els`, in order, moving or replacing only those that differ. */
function reconcile(parent: HTMLElement, els: HTMLElement[]): void {
  const wanted = new Set(els);
  for (const c of [...parent.children]) if (!wanted.has(c as HTMLElement)) c.remove();
  els.forEach((el, i) => {
    const at = parent.children[i];
    if (at !== el) parent.insertBefore(el, at ?? null);
  });
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
