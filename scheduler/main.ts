// kube-scheduler: assigns pending pods to nodes. With --leader-elect, only the holder of the
// kube-system/kube-scheduler Lease schedules. Every replica serves /metrics on --secure-port.
import os from 'node:os';
import { KUBERNETES_VERSION } from '../shared/version';
import { Client } from '../shared/client';
import { runComponent } from '../shared/component';
import type { Lifecycle } from '../shared/component';
import { realClock } from '../shared/clock';
import { DelegatedAuth } from '../shared/delegatedauth';
import { parseBool, parseDuration, parseFlags } from '../shared/flags';
import { SharedInformerFactory, stripManagedFields } from '../shared/informer';
import { loadKubeconfig } from '../shared/kubeconfig';
import { LeaderElector, runAsLeader } from '../shared/leaderelection';
import { newLogger } from '../shared/log';
import { secureServingFlags, secureServingOptions, serveMetrics } from '../shared/metricsserver';
import { observePendingPods, registry } from './metrics';
import { Scheduler } from './scheduler';

const flags = parseFlags({
  kubeconfig: { default: '/etc/kubernetes/scheduler.conf', help: 'kubeconfig of the apiserver' },
  'leader-elect': { default: 'true', help: 'elect a leader among scheduler replicas' },
  'leader-elect-lease-duration': { default: '15s', help: 'lease duration' },
  'leader-elect-renew-deadline': { default: '10s', help: 'how long the leader keeps trying to renew' },
  'leader-elect-retry-period': { default: '2s', help: 'how often candidates retry' },
  'leader-elect-resource-name': { default: 'kube-scheduler', help: 'the Lease name in kube-system' },
  'scheduler-name': { default: 'default-scheduler', help: 'pods with this spec.schedulerName are scheduled' },
  ...secureServingFlags(10259),
});

const log = newLogger('scheduler');
const client = new Client({ ...loadKubeconfig(flags.kubeconfig), userAgent: `kube-scheduler/${KUBERNETES_VERSION.gitVersion}` });

async function lead(signal: AbortSignal): Promise<void> {
  const informers = new SharedInformerFactory(client, { logger: log, transform: stripManagedFields });
  const scheduler = new Scheduler(client, informers, { schedulerName: flags['scheduler-name'] }, realClock, log);
  observePendingPods(() => scheduler.pendingPods());
  informers.start();
  await informers.waitForSync(signal);
  log.info('caches synced; scheduling');
  signal.addEventListener('abort', () => {
    scheduler.stop();
    informers.stop();
  });
  await scheduler.run();
}

async function main(lifecycle: Lifecycle): Promise<void> {
  await serveMetrics(secureServingOptions('kube-scheduler', flags), registry, new DelegatedAuth(client, realClock, log), log);
  if (!parseBool(flags['leader-elect'])) return lead(new AbortController().signal);
  const elector = new LeaderElector(client, {
    name: flags['leader-elect-resource-name'],
    identity: `${os.hostname()}_${process.pid}`,
    leaseDurationSeconds: parseDuration(flags['leader-elect-lease-duration']) / 1000,
    renewDeadlineSeconds: parseDuration(flags['leader-elect-renew-deadline']) / 1000,
    retryPeriodSeconds: parseDuration(flags['leader-elect-retry-period']) / 1000,
    logger: log,
  });
  await runAsLeader(elector, lifecycle, log, lead);
}

runComponent('scheduler', log, main);
