// The add-on manager: once the apiserver has bootstrapped, it applies every manifest of --addons-dir
// (`*.yaml`, `*.yml`, `*.json`, several documents each), as k3s applies its server's manifests directory
// and Kubernetes' addon-manager applied /etc/kubernetes/addons. Each object is a server-side apply by the
// field manager `addon-manager`, forced, through the loopback client (auth/loopback.ts), so it is
// defaulted, validated and admitted like any other write. Applying at every start puts back an add-on
// object someone deleted or changed, as k3s does; fields nobody set in the manifest are left alone.
// Kinds are those this apiserver serves itself (not custom resources).
import fs from 'node:fs';
import path from 'node:path';
import { loadAll } from 'js-yaml';
import type { KubeObject } from '../shared/api/meta';
import { RESOURCES, resourcePath } from '../shared/api/resources';
import type { ResourceInfo } from '../shared/api/resources';
import type { Client } from '../shared/client';
import type { Logger } from '../shared/log';

export const ADDON_MANAGER = 'addon-manager';

export interface AddonObject {
  /** The file it came from, for messages. */
  file: string;
  object: KubeObject & { apiVersion?: string; kind?: string };
}

/** The documents of one manifest file; a YAML error names the file. */
function parseDocuments(file: string, text: string): unknown[] {
  try {
    return loadAll(text);
  } catch (err) {
    throw new Error(`${file}: ${(err as Error).message}`, { cause: err });
  }
}

/** The objects of the manifests in `dir`, in file-name order; a document that is not an object fails with its file named. */
export function readAddons(dir: string): AddonObject[] {
  const files = fs
    .readdirSync(dir)
    .filter((f) => /\.(ya?ml|json)$/.test(f))
    .sort();
  return files.flatMap((file) =>
    parseDocuments(file, fs.readFileSync(path.join(dir, file), 'utf8')).flatMap((doc) => {
      const object = doc as AddonObject['object'] | null;
      if (object === null) return []; // an empty document (a trailing ---)
      if (typeof object !== 'object' || !object.kind || !object.apiVersion || !object.metadata?.name)
        throw new Error(`${file}: every document needs apiVersion, kind and metadata.name`);
      return [{ file, object }];
    }),
  );
}

/** The served resource of an object's apiVersion and kind. */
export function resourceOfObject(o: { apiVersion?: string; kind?: string }): ResourceInfo | undefined {
  const [group, version] = o.apiVersion!.includes('/') ? o.apiVersion!.split('/') : ['', o.apiVersion!];
  return RESOURCES.find((r) => r.group === group && r.version === version && r.kind === o.kind);
}

/** Applies every object in order (a ServiceAccount before the Deployment naming it); returns how many failed. */
export async function applyAddons(client: Client, addons: AddonObject[], log: Logger): Promise<number> {
  let failed = 0;
  for (const { file, object } of addons) {
    const resource = resourceOfObject(object);
    const ref = { file, kind: object.kind, namespace: object.metadata.namespace, name: object.metadata.name };
    if (!resource) {
      failed++;
      log.error(ref, `add-on: no resource for ${object.apiVersion} ${object.kind}`);
      continue;
    }
    const namespace = resource.namespaced ? (object.metadata.namespace ?? 'default') : undefined;
    try {
      await client.request('PATCH', resourcePath(resource, namespace, object.metadata.name), {
        body: JSON.stringify(object),
        contentType: 'application/apply-patch+yaml',
        query: { fieldManager: ADDON_MANAGER, force: true },
      });
      log.info(ref, 'add-on applied');
    } catch (err) {
      failed++;
      log.error({ ...ref, err }, 'add-on not applied');
    }
  }
  return failed;
}
