// The custom resources this apiserver serves, learnt from the CustomResourceDefinitions in storage through an
// informer (so every apiserver replica learns them, and a restarted one relists them). For each established
// CRD and each served version there is a Store made from a runtime Strategy (./customresource.ts); the
// resource handler, discovery and OpenAPI read the served set from here, and are told when it changes.
import type { CustomResourceDefinition } from '../../shared/api/apiextensions';
import { isCRDConditionTrue } from '../../shared/api/apiextensions';
import type { Definitions } from '../../shared/api/openapi';
import { CustomResourceDefinitions, ResourceInfo } from '../../shared/api/resources';
import { semanticallyEqual } from '../../shared/equality';
import { Informer } from '../../shared/informer';
import type { Logger } from '../../shared/log';
import { storeListerWatcher } from '../registry/listerwatcher';
import { Store } from '../registry/store';
import type { Storage } from '../storage/interface';
import { customResourceVersion, CustomResourceVersion } from './customresource';

interface Served {
  crd: CustomResourceDefinition;
  versions: (CustomResourceVersion & { store: Store })[];
}

export class CustomResources {
  readonly informer: Informer<CustomResourceDefinition>;
  private readonly served = new Map<string, Served>();
  private readonly listeners: (() => void)[] = [];

  constructor(
    private readonly storage: Storage,
    crdStore: Store,
    private readonly log: Logger,
  ) {
    this.informer = new Informer<CustomResourceDefinition>(storeListerWatcher(crdStore), CustomResourceDefinitions, { logger: log });
    this.informer.addEventHandler({
      add: (crd) => this.sync(crd),
      update: (_old, crd) => this.sync(crd),
      delete: (crd) => this.remove(crd.metadata.name!),
    });
  }

  run(signal: AbortSignal): void {
    this.informer.run();
    signal.addEventListener(
      'abort',
      () => {
        this.informer.stop();
        for (const name of [...this.served.keys()]) this.remove(name, false);
      },
      { once: true },
    );
  }

  /** Called whenever the served set changes (discovery and OpenAPI documents are then rebuilt). */
  onChange(listener: () => void): void {
    this.listeners.push(listener);
  }

  private changed(): void {
    for (const l of this.listeners) l();
  }

  /** Serves what an established CRD defines; a CRD not (or no longer) established serves nothing. */
  private sync(crd: CustomResourceDefinition): void {
    const name = crd.metadata.name!;
    const current = this.served.get(name);
    if (!isCRDConditionTrue(crd, 'Established')) {
      if (current) this.remove(name);
      return;
    }
    // Only the spec and the accepted names change what is served; status conditions alone do not.
    const what = (c: CustomResourceDefinition) => ({ spec: c.spec, names: c.status?.acceptedNames });
    if (current && semanticallyEqual(what(current.crd), what(crd))) {
      current.crd = crd;
      for (const v of current.versions) v.crd = crd;
      return;
    }
    if (current) this.remove(name, false);
    const versions = crd.spec.versions
      .filter((v) => v.served)
      .map((v) => {
        const serving = customResourceVersion(crd, v);
        return { ...serving, store: new Store(this.storage, serving.strategy) };
      });
    this.served.set(name, { crd, versions });
    this.log.info({ crd: name, versions: versions.map((v) => v.resource.version) }, 'serving custom resource');
    this.changed();
  }

  private remove(name: string, notify = true): void {
    const current = this.served.get(name);
    if (!current) return;
    this.served.delete(name);
    for (const v of current.versions) v.store.close();
    this.log.info({ crd: name }, 'no longer serving custom resource');
    if (notify) this.changed();
  }

  private versions(): (CustomResourceVersion & { store: Store })[] {
    return [...this.served.keys()].sort().flatMap((name) => this.served.get(name)!.versions);
  }

  /** The served custom resources, one per served version, each CRD's by version priority (the preferred first). */
  resources(): ResourceInfo[] {
    return [...this.served.keys()]
      .sort()
      .flatMap((name) =>
        [...this.served.get(name)!.versions].sort((a, b) => compareVersions(a.resource.version, b.resource.version)).map((v) => v.resource),
      );
  }

  lookup(group: string, version: string, plural: string): ResourceInfo | undefined {
    return this.versions().find((v) => v.resource.group === group && v.resource.version === version && v.resource.plural === plural)
      ?.resource;
  }

  /** The Store of a served version, or undefined if `resource` is not one. */
  storeFor(resource: ResourceInfo): Store | undefined {
    return this.versions().find((v) => v.resource === resource)?.store;
  }

  /** The CRD a served resource comes from. */
  definitionOf(resource: ResourceInfo): CustomResourceDefinition | undefined {
    return this.versions().find((v) => v.resource === resource)?.crd;
  }

  /** Every served kind's OpenAPI definition. */
  definitions(): Definitions {
    return Object.assign({}, ...this.versions().map((v) => v.definitions));
  }
}

/** `v2` → [2, 3, 0]: major, stability (GA 3, beta 2, alpha 1), minor; other names sort last. */
function versionKey(version: string): [number, number, number] | undefined {
  const m = /^v(\d+)(?:(alpha|beta)(\d+))?$/.exec(version);
  if (!m) return undefined;
  return [Number(m[1]), m[2] === 'beta' ? 2 : m[2] === 'alpha' ? 1 : 3, Number(m[3] ?? 0)];
}

/**
 * Kubernetes' version priority (CompareKubeAwareVersionStrings), highest first: GA before beta before alpha,
 * then the higher major and minor; names not of that form last, alphabetically. The first is the preferred version.
 */
export function compareVersions(a: string, b: string): number {
  const [ka, kb] = [versionKey(a), versionKey(b)];
  if (!ka || !kb) return ka ? -1 : kb ? 1 : a.localeCompare(b);
  if (ka[1] !== kb[1]) return kb[1] - ka[1];
  if (ka[0] !== kb[0]) return kb[0] - ka[0];
  return kb[2] - ka[2];
}
