// The website operator: `node dist/deploy/examples/website-operator/main.js --kubeconfig .data/kubeconfig`.
// A process outside the cluster's own, built only from what every component uses (shared/client.ts, the
// informers of shared/informer.ts, the work queue of shared/workqueue.ts), as an operator built with
// client-go is. It needs the Website CRD (crd.yaml) and, run as its own user, the RBAC in rbac.yaml.
import { Client } from '../../../shared/client';
import { realClock } from '../../../shared/clock';
import { EventRecorder } from '../../../shared/events';
import { parseFlags } from '../../../shared/flags';
import { SharedInformerFactory } from '../../../shared/informer';
import { loadKubeconfig } from '../../../shared/kubeconfig';
import { newLogger } from '../../../shared/log';
import { runWorkers } from '../../../shared/workqueue';
import { WebsiteController } from './controller';

const flags = parseFlags({
  kubeconfig: { default: `${process.env.HOME}/.kube/config`, help: 'kubeconfig of the apiserver' },
  as: { help: 'act as this user (impersonation; the kubeconfig user must be allowed to impersonate)' },
  workers: { default: '2', help: 'how many Websites are reconciled at once' },
});

const log = newLogger('website-operator');
const client = new Client({ ...loadKubeconfig(flags.kubeconfig!), userAgent: 'website-operator', impersonate: flags.as });
const informers = new SharedInformerFactory(client, { logger: log });
const recorder = new EventRecorder(client, { component: 'website-operator' }, { logger: log });
const controller = new WebsiteController(informers, client, recorder, realClock);

const stop = new AbortController();
for (const signal of ['SIGTERM', 'SIGINT'] as const)
  process.on(signal, () => {
    log.info({ signal }, 'stopping');
    stop.abort();
    controller.queue.shutDown();
    informers.stop();
  });

async function main(): Promise<void> {
  informers.start();
  // Workers start once the caches hold what the apiserver has: a sync never acts on a half-filled cache.
  await informers.waitForSync(stop.signal);
  log.info('caches synced; reconciling Websites');
  await runWorkers(controller.queue, Number(flags.workers), (key) => controller.sync(key), log);
}
main().catch((err) => {
  log.error({ err }, 'website operator failed');
  process.exit(1);
});
