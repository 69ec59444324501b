// An owner chain drawn as a graph: dagre (@dagrejs/dagre) lays the nodes out left to right, plain SVG draws
// them. Nodes are kept by id between draws and moved with a CSS transition, so a rollout is seen as it
// happens: a new ReplicaSet's pods fade in while the old one's leave.
import dagre from '@dagrejs/dagre';
import { s } from './dom';

export interface GraphNode {
  id: string;
  label: string;
  sub: string;
  tone: string;
  width: number;
  height: number;
  onSelect(): void;
  ariaLabel: string;
  selected: boolean;
}

export interface GraphLayout {
  width: number;
  height: number;
  positions: Map<string, { x: number; y: number }>;
  edges: { from: string; to: string; points: { x: number; y: number }[] }[];
}

/** Lays out nodes and parent->child edges. */
export function layout(nodes: GraphNode[], edges: [string, string][]): GraphLayout {
  const g = new dagre.graphlib.Graph();
  g.setGraph({ rankdir: 'LR', nodesep: 6, ranksep: 48, marginx: 8, marginy: 8 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const n of nodes) g.setNode(n.id, { width: n.width, height: n.height });
  for (const [a, b] of edges) g.setEdge(a, b);
  dagre.layout(g);
  const positions = new Map<string, { x: number; y: number }>();
  for (const id of g.nodes()) {
    const n = g.node(id);
    positions.set(id, { x: n.x - n.width / 2, y: n.y - n.height / 2 });
  }
  const graph = g.graph();
  return {
    width: graph.width ?? 0,
    height: graph.height ?? 0,
    positions,
    edges: g.edges().map((e) => ({ from: e.v, to: e.w, points: g.edge(e).points ?? [] })),
  };
}

/** Draws (or redraws, keeping nodes by id) a laid-out graph into `svg`. */
export function draw(svg: SVGSVGElement, nodes: GraphNode[], l: GraphLayout): void {
  svg.setAttribute('viewBox', `0 0 ${Math.max(1, l.width)} ${Math.max(1, l.height)}`);
  svg.setAttribute('width', String(l.width));
  svg.setAttribute('height', String(l.height));
  let edgeLayer = svg.querySelector<SVGGElement>('g.edges');
  let nodeLayer = svg.querySelector<SVGGElement>('g.nodes');
  if (!edgeLayer || !nodeLayer) {
    edgeLayer = s('g', { class: 'edges' });
    nodeLayer = s('g', { class: 'nodes' });
    svg.append(edgeLayer, nodeLayer);
  }
  edgeLayer.replaceChildren(
    ...l.edges.map((e) => s('path', { d: e.points.map((p, i) => `${i ? 'L' : 'M'}${p.x.toFixed(1)},${p.y.toFixed(1)}`).join(' ') })),
  );
  const existing = new Map<string, SVGGElement>();
  for (const el of nodeLayer.querySelectorAll<SVGGElement>(':scope > g')) existing.set(el.dataset.id!, el);
  const wanted = new Set<string>();
  for (const n of nodes) {
    const pos = l.positions.get(n.id);
    if (!pos) continue;
    wanted.add(n.id);
    let g = existing.get(n.id);
    const fresh = !g;
    if (!g) {
      g = s('g', { role: 'button', tabindex: '0' });
      g.dataset.id = n.id;
      g.dataset.focusKey = n.id;
      g.addEventListener('click', () => handlers.get(g!)?.());
      g.addEventListener('keydown', (ev) => {
        if (ev.key === 'Enter' || ev.key === ' ') {
          ev.preventDefault();
          handlers.get(g!)?.();
        }
      });
      g.classList.add('entering');
      nodeLayer.append(g);
    }
    handlers.set(g, n.onSelect);
    g.setAttribute('class', `gnode ${n.tone}${n.selected ? ' selected' : ''}${fresh ? ' entering' : ''}`);
    g.setAttribute('aria-label', n.ariaLabel);
    g.setAttribute('aria-pressed', n.selected ? 'true' : 'false');
    g.style.transform = `translate(${pos.x}px, ${pos.y}px)`;
    const key = `${n.width}|${n.height}|${n.label}|${n.sub}`;
    if (g.dataset.drawn !== key) {
      g.dataset.drawn = key;
      g.replaceChildren(
        s('rect', { width: n.width, height: n.height, rx: 6 }),
        s('text', { x: 10, y: n.height / 2 - (n.sub ? 3 : -4), class: 'label' }, n.label),
        ...(n.sub ? [s('text', { x: 10, y: n.height / 2 + 12, class: 'sub' }, n.sub)] : []),
      );
    }
  }
  for (const [id, el] of existing) if (!wanted.has(id)) el.remove();
}

const handlers = new WeakMap<Element, () => void>();
