// What every controller is built from, as kube-controller-manager's ControllerContext: the shared
// informers, the client, the clock, an event recorder and a logger per controller, and the flags. Each
// controller is described once (controllers.ts): its name in --controllers and how it is started.
import type { Client } from '../shared/client';
import type { Clock } from '../shared/clock';
import type { EventRecorder } from '../shared/events';
import type { SharedInformerFactory } from '../shared/informer';
import type { Logger } from '../shared/log';
import type { Controller } from './controller';
import type { ControllerManagerFlags } from './options';

export interface ControllerContext {
  readonly client: Client;
  readonly informers: SharedInformerFactory;
  readonly clock: Clock;
  readonly flags: ControllerManagerFlags;
  /** Events reported as `component` (Kubernetes' event source, e.g. `deployment-controller`). */
  recorder(component: string): EventRecorder;
  /** The process's logger, with `controller: name` on every line. */
  logger(name: string): Logger;
}

/** A controller that is not a queue of keys: it runs its own loop until the signal aborts. */
export interface LoopController {
  readonly name: string;
  run(signal: AbortSignal): Promise<void>;
}

export interface ControllerDescriptor {
  /** Its name in --controllers. */
  readonly name: string;
  /** Left out of `*`, as Kubernetes leaves the bootstrap token controllers out. */
  readonly disabledByDefault?: boolean;
  /** Builds the controller; undefined when its flags leave it off (csrsigning without a CA). */
  start(ctx: ControllerContext): Controller | LoopController | undefined;
}

/** Whether --controllers (`*`, `name`, `-name`, comma-separated) turns the controller on. */
export function isEnabled(controllers: string, descriptor: ControllerDescriptor): boolean {
  const listed = controllers.split(',').map((c) => c.trim());
  if (listed.includes(descriptor.name) || listed.includes(`-${descriptor.name}`)) return listed.includes(descriptor.name);
  return listed.includes('*') && !descriptor.disabledByDefault;
}
