// The page: four views over one store kept live by the server's event stream (EventSource `events`,
// relative, so the page works under any path prefix such as the apiserver's service proxy). Changes are
// drawn at most once a frame, and only for the view shown.
import type { Delta, Snapshot } from '../views';
import type { App, Selection, View } from './app';
import { ClusterView } from './cluster';
import { DetailsPanel } from './details';
import { h } from './dom';
import { EventsView } from './events';
import { ServicesView } from './services';
import { Store } from './store';
import { WorkloadsView } from './workloads';

const TABS = ['cluster', 'workloads', 'services', 'events'] as const;
type Tab = (typeof TABS)[number];

const store = new Store();
const status = document.getElementById('live')!;
const announcer = document.getElementById('announcer')!;
let frame = 0;

const app: App = {
  store,
  select(sel: Selection | undefined) {
    app.selection = sel;
    store.version++;
    schedule();
  },
  announce(message: string) {
    announcer.textContent = message;
  },
};

const tokenInput = document.getElementById('token') as HTMLInputElement;
tokenInput.value = sessionStorage.getItem('dashboard-token') ?? '';
tokenInput.addEventListener('change', () => sessionStorage.setItem('dashboard-token', tokenInput.value.trim()));
const details = new DetailsPanel(app, () => tokenInput.value.trim());

const views: Record<Tab, View> = {
  cluster: new ClusterView(app),
  workloads: new WorkloadsView(app),
  services: new ServicesView(app),
  events: new EventsView(app),
};
const main = document.getElementById('main')!;
const tablist = document.getElementById('tabs')!;
const tabButtons = new Map<Tab, HTMLButtonElement>();
for (const tab of TABS) {
  const b = h(
    'button',
    { role: 'tab', id: `tab-${tab}`, 'aria-controls': `panel-${tab}`, onclick: () => show(tab) },
    tab[0].toUpperCase() + tab.slice(1),
  );
  tabButtons.set(tab, b);
  tablist.append(b);
  views[tab].el.id = `panel-${tab}`;
  views[tab].el.setAttribute('role', 'tabpanel');
  views[tab].el.setAttribute('aria-labelledby', `tab-${tab}`);
  main.append(views[tab].el);
}
main.append(details.el);
tablist.addEventListener('keydown', (ev) => {
  const i = TABS.indexOf(current);
  const next =
    ev.key === 'ArrowRight' ? TABS[(i + 1) % TABS.length] : ev.key === 'ArrowLeft' ? TABS[(i + TABS.length - 1) % TABS.length] : undefined;
  if (next) {
    show(next);
    tabButtons.get(next)!.focus();
  }
});

let current: Tab = 'cluster';
function show(tab: Tab): void {
  current = tab;
  if (location.hash !== `#${tab}`) history.replaceState(null, '', `#${tab}`);
  for (const t of TABS) {
    const selected = t === tab;
    tabButtons.get(t)!.setAttribute('aria-selected', String(selected));
    tabButtons.get(t)!.tabIndex = selected ? 0 : -1;
    views[t].el.hidden = !selected;
  }
  schedule();
}

function schedule(): void {
  if (frame) return;
  frame = requestAnimationFrame(() => {
    frame = 0;
    views[current].update();
    details.update();
  });
}

function connect(): void {
  const source = new EventSource('events');
  source.addEventListener('snapshot', (ev) => {
    store.reset(JSON.parse((ev as MessageEvent<string>).data) as Snapshot);
    status.textContent = 'live';
    status.className = 'live tone-good';
    schedule();
  });
  source.addEventListener('delta', (ev) => {
    store.apply(JSON.parse((ev as MessageEvent<string>).data) as Delta);
    schedule();
  });
  source.addEventListener('error', () => {
    status.textContent = 'reconnecting…';
    status.className = 'live tone-wait';
  });
}

window.addEventListener('hashchange', () => {
  const tab = location.hash.slice(1) as Tab;
  if (TABS.includes(tab)) show(tab);
});
show(TABS.includes(location.hash.slice(1) as Tab) ? (location.hash.slice(1) as Tab) : 'cluster');
connect();
// Ages ("12s ago") move on without changes from the cluster.
setInterval(() => {
  store.version++;
  schedule();
}, 5000);

// For the benchmark and tests: how many changes the page has taken in.
(window as unknown as { dashboard: { store: Store } }).dashboard = { store };
