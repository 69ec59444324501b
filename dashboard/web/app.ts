// What every view shares: the store, the selected object, the token for actions, announcements.
import type { Store } from './store';

/** The object the details panel shows: its API kind and key (`namespace/name`, or `name`). */
export interface Selection {
  kind: string;
  key: string;
}

export interface App {
  store: Store;
  selection?: Selection;
  select(sel: Selection | undefined): void;
  /** Says something to screen readers and in the status line. */
  announce(message: string): void;
}

export interface View {
  readonly el: HTMLElement;
  /** Called once a frame while the view is shown and the store (or the selection) changed. */
  update(): void;
}

/** The API kind of a workload view key: `Deployment/ns/name` -> Deployment. */
export const kindOfWorkloadKey = (key: string) => key.slice(0, key.indexOf('/'));
export const workloadKey = (kind: string, namespace: string, name: string) => `${kind}/${namespace}/${name}`;
