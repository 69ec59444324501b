// Events as a stream, newest first (virtualised: the apiserver keeps an hour of them), with a filter.
import type { EventView } from '../views';
import type { App, View } from './app';
import { age, h } from './dom';
import { VirtualList } from './virtuallist';

const KIND_OF_SELECTION: Record<string, true> = {
  Pod: true,
  Node: true,
  Service: true,
  Deployment: true,
  ReplicaSet: true,
  StatefulSet: true,
  DaemonSet: true,
  Job: true,
  CronJob: true,
};

export function eventRow(app: App, e: EventView): HTMLElement {
  const target = `${e.object.kind.toLowerCase()}/${e.object.name}`;
  const key = e.object.namespace ? `${e.object.namespace}/${e.object.name}` : e.object.name;
  return h(
    'div',
    { class: `event ${e.type === 'Warning' ? 'tone-bad' : ''}`, role: 'listitem' },
    h('span', { class: 'when' }, age(e.last)),
    h('span', { class: 'type' }, e.type),
    h('span', { class: 'reason' }, e.reason),
    KIND_OF_SELECTION[e.object.kind]
      ? h(
          'button',
          { class: 'link object', dataset: { focusKey: `ev/${e.key}` }, onclick: () => app.select({ kind: e.object.kind, key }) },
          target,
        )
      : h('span', { class: 'object' }, target),
    h('span', { class: 'message', title: e.message }, `${e.message}${e.count > 1 ? ` (x${e.count})` : ''}`),
  );
}

export class EventsView implements View {
  readonly el = h('section', { class: 'view events', 'aria-label': 'Events' });
  private readonly filter = h('input', { type: 'search', placeholder: 'filter: reason, object, message', 'aria-label': 'Filter events' });
  private readonly viewport = h('div', { class: 'viewport', role: 'list', 'aria-label': 'Events, newest first', 'aria-live': 'off' });
  private readonly list: VirtualList<EventView>;
  private seen = '';

  constructor(private readonly app: App) {
    this.filter.addEventListener('input', () => this.update());
    this.el.append(h('div', { class: 'toolbar' }, this.filter), this.viewport);
    this.list = new VirtualList<EventView>(this.viewport, { key: (e) => e.key, height: () => 30, render: (e) => eventRow(this.app, e) });
  }

  update(): void {
    const seen = `${this.app.store.version}|${this.filter.value}`;
    if (seen === this.seen) return;
    this.seen = seen;
    const q = this.filter.value.trim().toLowerCase();
    const all = this.app.store.events();
    this.list.setItems(
      q ? all.filter((e) => `${e.reason} ${e.object.kind}/${e.object.name} ${e.message} ${e.namespace}`.toLowerCase().includes(q)) : all,
    );
  }
}
