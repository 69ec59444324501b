// The website operator's control loop, written the way the controller-manager's controllers are: informers
// that only queue keys (a Website's `namespace/name`; for a Deployment or Service, the key of the Website
// that controls it), and one sync(key) that reads the caches and makes the world match the Website:
//   1. a Deployment `<name>` of busybox httpd pods serving spec.content, with spec.replicas pods;
//   2. a Service `<name>` on port 80 in front of them;
//   3. the Website's status: the Deployment's available replicas, the Service's URL, the observed generation.
// Both children carry an ownerReference to the Website (controller: true), so deleting the Website lets the
// garbage collector delete them: the operator never has to notice a deletion.
import type { Deployment } from '../../../shared/api/apps';
import type { Service } from '../../../shared/api/core';
import type { KubeObject, OwnerReference } from '../../../shared/api/meta';
import { controllerOf, objectKey, splitKey } from '../../../shared/api/meta';
import { apiVersionOf, Deployments, Services } from '../../../shared/api/resources';
import type { Client } from '../../../shared/client';
import { semanticallyEqual } from '../../../shared/equality';
import { isNotFound } from '../../../shared/errors';
import type { EventRecorder } from '../../../shared/events';
import type { Lister, SharedInformerFactory } from '../../../shared/informer';
import type { Clock } from '../../../shared/clock';
import { RateLimitingQueue } from '../../../shared/workqueue';
import { Website, Websites } from './website';

const PORT = 8080;

/** The Deployment a Website wants: its labels, replicas, and pods writing the page and serving it. */
export function desiredDeployment(site: Website, owner: OwnerReference): Deployment {
  const labels = { app: site.metadata.name!, 'app.kubernetes.io/managed-by': 'website-operator' };
  return {
    apiVersion: 'apps/v1',
    kind: 'Deployment',
    metadata: { name: site.metadata.name, namespace: site.metadata.namespace, labels, ownerReferences: [owner] },
    spec: {
      replicas: site.spec.replicas ?? 1,
      selector: { matchLabels: { app: site.metadata.name! } },
      template: {
        metadata: { labels },
        spec: {
          containers: [
            {
              name: 'httpd',
              image: site.spec.image ?? 'busybox:1.36',
              command: ['sh', '-c', `mkdir -p /www && printf '%s' "$CONTENT" > /www/index.html && exec httpd -f -p ${PORT} -h /www`],
              env: [{ name: 'CONTENT', value: site.spec.content }],
              ports: [{ name: 'http', containerPort: PORT }],
              readinessProbe: { tcpSocket: { port: PORT }, periodSeconds: 2 },
            },
          ],
        },
      },
    },
  } as Deployment;
}

export function desiredService(site: Website, owner: OwnerReference): Service {
  return {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { name: site.metadata.name, namespace: site.metadata.namespace, ownerReferences: [owner] },
    spec: { selector: { app: site.metadata.name! }, ports: [{ name: 'http', port: 80, targetPort: 'http' }] },
  } as Service;
}

export class WebsiteController {
  readonly queue: RateLimitingQueue;
  private readonly websites: Lister<Website>;
  private readonly deployments: Lister<Deployment>;
  private readonly services: Lister<Service>;

  constructor(
    informers: SharedInformerFactory,
    private readonly client: Client,
    private readonly recorder: EventRecorder,
    clock: Clock,
  ) {
    this.queue = new RateLimitingQueue({ clock, name: 'website' });
    const websites = informers.informerFor<Website>(Websites);
    const deployments = informers.informerFor<Deployment>(Deployments);
    const services = informers.informerFor<Service>(Services);
    [this.websites, this.deployments, this.services] = [websites.lister, deployments.lister, services.lister];

    const enqueue = (site: Website) => this.queue.add(objectKey(site));
    websites.addEventHandler({ add: enqueue, update: (_old, site) => enqueue(site) });
    // A child that changes or goes away sends its Website around the loop again.
    const enqueueOwner = (child: KubeObject) => {
      const ref = controllerOf(child);
      if (ref?.kind === Websites.kind && ref.apiVersion === apiVersionOf(Websites))
        this.queue.add(`${child.metadata.namespace}/${ref.name}`);
    };
    const childHandler = { add: enqueueOwner, update: (_old: KubeObject, child: KubeObject) => enqueueOwner(child), delete: enqueueOwner };
    deployments.addEventHandler(childHandler);
    services.addEventHandler(childHandler);
  }

  async sync(key: string): Promise<void> {
    const { namespace, name } = splitKey(key);
    const site = this.websites.get(namespace, name);
    // Gone: its Deployment and Service go with it (ownerReferences and the garbage collector).
    if (!site || site.metadata.deletionTimestamp) return;
    const owner: OwnerReference = {
      apiVersion: apiVersionOf(Websites),
      kind: Websites.kind,
      name: name,
      uid: site.metadata.uid!,
      controller: true,
      blockOwnerDeletion: true,
    };

    const deployment = await this.ensure(site, owner, Deployments, this.deployments.get(namespace, name), desiredDeployment(site, owner));
    const service = await this.ensure(site, owner, Services, this.services.get(namespace, name), desiredService(site, owner));

    const status = {
      availableReplicas: deployment?.status?.availableReplicas ?? 0,
      ...(service ? { url: `http://${name}.${namespace}.svc.cluster.local` } : {}),
      observedGeneration: site.metadata.generation,
    };
    if (semanticallyEqual(site.status, status)) return;
    try {
      await this.client.resource<Website>(Websites).updateStatus({ ...structuredClone(site), status });
    } catch (err) {
      if (!isNotFound(err)) throw err; // deleted meanwhile: nothing to report
    }
  }

  /**
   * Creates the child if it is missing, or puts back what the Website decides (spec, labels) if someone
   * changed it. A child of the same name that another owner controls is left alone, with a warning event.
   */
  private async ensure<T extends Deployment | Service>(
    site: Website,
    owner: OwnerReference,
    resource: typeof Deployments,
    current: T | undefined,
    desired: T,
  ): Promise<T | undefined> {
    const api = this.client.resource<T>(resource);
    if (!current) {
      const created = await api.create(desired);
      this.recorder.event(site, 'Normal', 'Created', `Created ${resource.kind} ${desired.metadata.name}`);
      return created;
    }
    if (controllerOf(current)?.uid !== owner.uid) {
      this.recorder.event(
        site,
        'Warning',
        'NotOwned',
        `${resource.kind} ${current.metadata.name} exists and is not controlled by this Website`,
      );
      return undefined;
    }
    const next = structuredClone(current) as T & { spec: Record<string, unknown> };
    if (desired.metadata.labels) next.metadata.labels = { ...next.metadata.labels, ...desired.metadata.labels };
    // Only the fields the Website decides; the rest (a Service's clusterIP, defaults) stays as the server set it.
    const want = desired.spec as unknown as Record<string, unknown>;
    for (const field of Object.keys(want)) next.spec[field] = mergeInto(next.spec[field], want[field]);
    if (semanticallyEqual(next, current)) return current;
    const updated = await api.update(next);
    this.recorder.event(site, 'Normal', 'Updated', `Updated ${resource.kind} ${desired.metadata.name}`);
    return updated;
  }
}

/** `want` laid over `have`: objects field by field (keeping fields only the server set), everything else replaced. */
function mergeInto(have: unknown, want: unknown): unknown {
  if (Array.isArray(want)) {
    return want.map((w, i) => (Array.isArray(have) ? mergeInto(have[i], w) : w));
  }
  if (want && typeof want === 'object') {
    const out: Record<string, unknown> = have && typeof have === 'object' && !Array.isArray(have) ? { ...(have as object) } : {};
    for (const [k, v] of Object.entries(want)) out[k] = mergeInto(out[k], v);
    return out;
  }
  return want;
}
