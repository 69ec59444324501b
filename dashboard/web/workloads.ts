// Workloads: each owner chain as a graph, Deployment -> ReplicaSets (by revision) -> Pods, and
// StatefulSets, DaemonSets, Jobs (CronJob -> Jobs -> Pods) where the apiserver serves them. One row per
// chain, virtualised; a chain's layout is cached until its members change, and its SVG is kept, so a
// rollout animates in place.
import type { PodView, WorkloadView } from '../views';
import type { App, View } from './app';
import { h, s } from './dom';
import { draw, GraphLayout, GraphNode, layout } from './graph';
import { podLabel, podTone } from './cluster';
import { VirtualList } from './virtuallist';

const MAX_PODS_DRAWN = 60;
const HEADER = 40;

interface Chain {
  key: string;
  root: WorkloadView | undefined;
  nodes: GraphNode[];
  edges: [string, string][];
  /** The ids of the nodes: the layout is kept while it stays the same. */
  signature: string;
  /** Everything drawn: the row is drawn again only when it changes. */
  content: string;
}

const content = (nodes: GraphNode[]) => nodes.map((n) => `${n.id} ${n.label} ${n.sub} ${n.tone} ${n.selected}`).join('\n');
const isPod = (x: PodView | WorkloadView): x is PodView => !('kind' in x);

function workloadTone(w: WorkloadView): string {
  if (w.desired === undefined) return 'tone-wait';
  if (w.kind === 'ReplicaSet' && w.desired === 0) return 'tone-old';
  if ((w.ready ?? 0) >= w.desired) return 'tone-good';
  return 'tone-wait';
}

export class WorkloadsView implements View {
  readonly el = h('section', { class: 'view workloads', 'aria-label': 'Workloads' });
  private readonly note = h('p', { class: 'note' });
  private readonly viewport = h('div', { class: 'viewport', role: 'list', 'aria-label': 'Owner chains' });
  private readonly list: VirtualList<Chain>;
  private readonly layouts = new Map<string, { signature: string; layout: GraphLayout }>();
  private seen = '';

  constructor(private readonly app: App) {
    this.el.append(this.note, this.viewport);
    this.list = new VirtualList<Chain>(this.viewport, {
      key: (c) => c.key,
      height: (c) => HEADER + this.layoutOf(c).height + 12,
      render: (c, prev) => this.row(c, prev),
      same: (a, b) => a.content === b.content,
    });
  }

  private layoutOf(c: Chain): GraphLayout {
    const cached = this.layouts.get(c.key);
    if (cached?.signature === c.signature) return cached.layout;
    const l = layout(c.nodes, c.edges);
    this.layouts.set(c.key, { signature: c.signature, layout: l });
    return l;
  }

  update(): void {
    const store = this.app.store;
    const seen = `${store.version}|${this.app.selection?.key ?? ''}`;
    if (seen === this.seen) return;
    this.seen = seen;
    this.note.textContent = `Kinds served by this apiserver: ${store.workloadKinds.join(', ')}. Click any box for its conditions, events and YAML.`;
    const workloads = store.list('workloads');
    const uids = new Set([...workloads.map((w) => w.uid)]);
    const roots = workloads.filter((w) => !w.owner || !uids.has(w.owner.uid)).sort((a, b) => a.key.localeCompare(b.key));
    const chains = roots.map((r) => this.chain(r));
    const orphans = store.list('pods').filter((p) => !p.owner || (!uids.has(p.owner.uid) && p.owner.kind !== 'Node'));
    if (orphans.length) chains.push(this.podsChain('pods without an owner', orphans));
    for (const key of this.layouts.keys()) if (!chains.some((c) => c.key === key)) this.layouts.delete(key);
    this.list.setItems(chains);
  }

  private workloadNode(w: WorkloadView): GraphNode {
    const rev = w.revision ? ` rev ${w.revision}` : '';
    return {
      id: `${w.kind}/${w.namespace}/${w.name}`,
      label: `${w.kind}${rev}: ${w.name}`,
      sub: w.summary,
      tone: workloadTone(w),
      width: 230,
      height: 42,
      ariaLabel: `${w.kind} ${w.namespace}/${w.name}${rev}: ${w.summary}`,
      selected: this.app.selection?.kind === w.kind && this.app.selection.key === `${w.namespace}/${w.name}`,
      onSelect: () => this.app.select({ kind: w.kind, key: `${w.namespace}/${w.name}` }),
    };
  }

  private podNode(p: PodView): GraphNode {
    return {
      id: `Pod/${p.key}`,
      label: p.name,
      sub: `${p.status} · ${p.readyCount}/${p.containerCount} · ${p.node ?? 'no node'}`,
      tone: podTone(p),
      width: 250,
      height: 36,
      ariaLabel: podLabel(p),
      selected: this.app.selection?.kind === 'Pod' && this.app.selection.key === p.key,
      onSelect: () => this.app.select({ kind: 'Pod', key: p.key }),
    };
  }

  private chain(root: WorkloadView): Chain {
    const nodes: GraphNode[] = [];
    const edges: [string, string][] = [];
    const visit = (w: WorkloadView, depth: number) => {
      const node = this.workloadNode(w);
      nodes.push(node);
      if (depth > 3) return;
      const children = this.app.store.childrenOf(w.uid);
      const workloads = children.filter((c): c is WorkloadView => !isPod(c));
      // Newest revision first.
      workloads.sort((a, b) => Number(b.revision ?? 0) - Number(a.revision ?? 0) || a.name.localeCompare(b.name));
      for (const c of workloads) {
        edges.push([node.id, `${c.kind}/${c.namespace}/${c.name}`]);
        visit(c, depth + 1);
      }
      const pods = children.filter(isPod);
      for (const p of pods.slice(0, MAX_PODS_DRAWN)) {
        const pn = this.podNode(p);
        nodes.push(pn);
        edges.push([node.id, pn.id]);
      }
      if (pods.length > MAX_PODS_DRAWN) {
        const more = {
          ...this.podNode(pods[MAX_PODS_DRAWN]),
          id: `${node.id}/more`,
          label: `and ${pods.length - MAX_PODS_DRAWN} more pods`,
          sub: '',
        };
        nodes.push(more);
        edges.push([node.id, more.id]);
      }
    };
    visit(root, 0);
    return {
      key: `${root.kind}/${root.namespace}/${root.name}`,
      root,
      nodes,
      edges,
      signature: nodes.map((n) => n.id).join(','),
      content: content(nodes),
    };
  }

  private podsChain(title: string, pods: PodView[]): Chain {
    const root: GraphNode = {
      id: 'orphans',
      label: title,
      sub: `${pods.length}`,
      tone: 'tone-old',
      width: 230,
      height: 42,
      ariaLabel: title,
      selected: false,
      onSelect: () => undefined,
    };
    const drawn = pods.slice(0, MAX_PODS_DRAWN).map((p) => this.podNode(p));
    return {
      key: 'orphans',
      root: undefined,
      nodes: [root, ...drawn],
      edges: drawn.map((n) => [root.id, n.id] as [string, string]),
      signature: drawn.map((n) => n.id).join(','),
      content: content(drawn),
    };
  }

  private row(c: Chain, prev: HTMLElement | undefined): HTMLElement {
    const el = prev ?? h('article', { class: 'chain', role: 'listitem' }, h('h2'), s('svg', { class: 'graph' }));
    el.setAttribute('aria-label', c.root ? `${c.root.kind} ${c.root.namespace}/${c.root.name}` : 'pods without an owner');
    const title = el.querySelector('h2')!;
    title.textContent = c.root ? `${c.root.namespace} / ${c.root.kind} ${c.root.name}` : 'Pods without an owner';
    draw(el.querySelector('svg')!, c.nodes, this.layoutOf(c));
    return el;
  }
}
