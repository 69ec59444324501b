// kube-controller-manager: the control loops of the cluster in one process, sharing informers. With
// --leader-elect only the holder of the kube-system/kube-controller-manager Lease runs them. Every
// replica serves /metrics (the work queues' metrics) on --secure-port.
import { setMaxListeners } from 'node:events';
import os from 'node:os';
import { collectDefaultMetrics, Registry } from 'prom-client';
import { KUBERNETES_VERSION } from '../shared/version';
import { Client } from '../shared/client';
import { runComponent } from '../shared/component';
import type { Lifecycle } from '../shared/component';
import { realClock } from '../shared/clock';
import { DelegatedAuth } from '../shared/delegatedauth';
import { EventRecorder } from '../shared/events';
import { parseBool, parseFlags } from '../shared/flags';
import { SharedInformerFactory, stripManagedFields } from '../shared/informer';
import { loadKubeconfig } from '../shared/kubeconfig';
import { LeaderElector, runAsLeader } from '../shared/leaderelection';
import { newLogger } from '../shared/log';
import { secureServingOptions, serveMetrics } from '../shared/metricsserver';
import { setWorkqueueMetricsProvider } from '../shared/workqueue';
import { runController } from './controller';
import { isEnabled } from './controllercontext';
import type { ControllerContext } from './controllercontext';
import { CONTROLLERS } from './controllers';
import { CONTROLLER_MANAGER_FLAGS } from './options';

const flags = parseFlags({
  ...CONTROLLER_MANAGER_FLAGS,
  controllers: {
    ...CONTROLLER_MANAGER_FLAGS.controllers,
    help: `controllers to run: * (those on by default), name, -name (${CONTROLLERS.filter((c) => !c.disabledByDefault)
      .map((c) => c.name)
      .join(',')}; off by default: ${CONTROLLERS.filter((c) => c.disabledByDefault)
      .map((c) => c.name)
      .join(',')})`,
  },
});

const log = newLogger('controller-manager');
const client = new Client({ ...loadKubeconfig(flags.kubeconfig), userAgent: `kube-controller-manager/${KUBERNETES_VERSION.gitVersion}` });
const registry = new Registry();
collectDefaultMetrics({ register: registry });
setWorkqueueMetricsProvider(registry);

async function runControllers(signal: AbortSignal): Promise<void> {
  // Every controller's workers and waits listen for the end of leadership on this one signal.
  setMaxListeners(Infinity, signal);
  const ctx: ControllerContext = {
    client,
    informers: new SharedInformerFactory(client, { logger: log, transform: stripManagedFields }),
    clock: realClock,
    flags,
    recorder: (component) => new EventRecorder(client, { component }, { logger: log }),
    logger: (name) => log.child({ controller: name }),
  };
  const controllers = CONTROLLERS.filter((d) => isEnabled(flags.controllers, d)).flatMap((d) => d.start(ctx) ?? []);
  ctx.informers.start();
  await ctx.informers.waitForSync(signal);
  log.info({ controllers: controllers.map((c) => c.name) }, 'caches synced; starting controllers');
  const workers = Number(flags['concurrent-syncs']);
  await Promise.all(controllers.map((c) => ('run' in c ? c.run(signal) : runController(c, workers, log, signal))));
  ctx.informers.stop();
}

async function main(lifecycle: Lifecycle): Promise<void> {
  await serveMetrics(secureServingOptions('kube-controller-manager', flags), registry, new DelegatedAuth(client, realClock, log), log);
  if (!parseBool(flags['leader-elect'])) return runControllers(new AbortController().signal);
  const elector = new LeaderElector(client, {
    name: flags['leader-elect-resource-name'],
    identity: `${os.hostname()}_${process.pid}`,
    logger: log,
  });
  await runAsLeader(elector, lifecycle, log, runControllers);
}

runComponent('controller-manager', log, main);
