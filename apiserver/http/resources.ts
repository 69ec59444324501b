// The resource endpoints: every `/api/v1/...` and `/apis/<group>/<version>/...` request lands here and
// is dispatched by verb (get, list, watch, create, update, patch, delete, deletecollection) and
// subresource (status, scale, binding, finalize, log, a ServiceAccount's token, proxy to pods, services and nodes, and the connect
// subresources exec, attach and portforward, which are upgraded and proxied to the pod's kubelet).
import type { Request, Response } from 'express';
import type { Binding, Pod, ReplicationController } from '../../shared/api/core';
import type { Deployment, ReplicaSet, Scale } from '../../shared/api/apps';
import type { HorizontalPodAutoscaler } from '../../shared/api/autoscaling';
import type { CertificateSigningRequest } from '../../shared/api/certificates';
import type { KubeObject } from '../../shared/api/meta';
import { apiVersionOf, Nodes, PodDisruptionBudgets, Pods, ResourceInfo, Secrets } from '../../shared/api/resources';
import { badRequest, fieldError, invalid, methodNotSupported, notFound, statusSuccess, unsupportedMediaType } from '../../shared/errors';
import { StatusError } from '../../shared/errors';
import { formatLabelSelector } from '../../shared/labels';
import type { MutationPlugin, ValidationPlugin } from '../admission/admission';
import type { CustomResources } from '../apiextensions/customresources';
import { admitNamespace } from '../admission/namespacelifecycle';
import { applyPatch } from '../patch';
import { toTable, wantsTable } from '../printers';
import type { IncludeObject } from '../printers';
import type { NamespaceLister } from '../registry/core/namespaces';
import { bindPod } from '../registry/core/pods';
import { approve } from '../registry/certificates/certificatesigningrequests';
import { evictPod } from '../registry/core/eviction';
import { createToken, TokenIssuer } from '../registry/core/tokenrequest';
import { selectionPredicate } from '../registry/selection';
import type { Store, WriteOptions } from '../registry/store';
import { userOf } from './auth';
import { HorizontalPodAutoscalersV1, toV1, toV2 } from './autoscalingv1';
import { decodeBody, patchType } from './body';
import type { PatchType } from './body';
import { connectPod } from './podconnect';
import { streamPodLog } from './podlog';
import type { KubeletClient } from '../kubeletclient';
import { parseResourcePath, RequestTarget } from './path';
import { proxyRequest } from '../proxy/handler';
import { nodeLocation, podLocation, ProxyLocation, serviceLocation } from '../proxy/location';
import { deleteOptions, fieldManagerOf, fieldValidation, flag, intParam, isDryRun, listOptions, one, OptionsKind, Query } from './query';
import { addWarning } from './warnings';
import { strictDecodingError } from '../../shared/api/decode';
import type { DecodeOptions } from '../../shared/api/decode';
import { serveWatch } from './watch';
import type { Stores } from '../registry';

export class ResourceHandler {
  constructor(
    private readonly stores: Stores,
    private readonly namespaces: NamespaceLister,
    private readonly kubelets: KubeletClient,
    private readonly admission: ValidationPlugin,
    private readonly customResources?: CustomResources,
    private readonly tokenIssuer?: TokenIssuer,
    private readonly mutatingAdmission?: MutationPlugin,
  ) {}

  /**
   * How a user's write reaches the registry: dry-run or not, through admission as that user, and, for a
   * write that carries an object, decoded as its `fieldValidation` says (`options`: CreateOptions, ...).
   */
  private writeOptions(
    req: Request,
    res: Response,
    dryRun: boolean,
    decode?: { query: Query; options: OptionsKind; apply?: boolean } & DecodeOptions,
  ): WriteOptions {
    const user = userOf(res);
    return {
      dryRun,
      user,
      manager: decode && fieldManagerOf(decode.query, decode.options, req.headers['user-agent'], decode.apply),
      admission: async (change) => this.admission.validate({ ...change, user, dryRun }),
      mutatingAdmission: async (change) => this.mutatingAdmission?.admit({ ...change, user, dryRun }),
      decode: decode && {
        fieldValidation: fieldValidation(decode.query, decode.options),
        warn: (warning) => addWarning(res, warning),
        strictError: decode.strictError,
      },
    };
  }

  store(r: ResourceInfo): Store {
    // autoscaling/v1 is served from the v2 store; each served version of a custom resource has its own.
    const s = this.customResources?.storeFor(r) ?? this.stores.lookup(r);
    if (!s) throw notFound(r.plural, '');
    return s;
  }

  /** Handles the request if its path names a resource; returns false otherwise. */
  async handle(req: Request, res: Response): Promise<boolean> {
    const lookup = this.customResources && ((g: string, v: string, p: string) => this.customResources!.lookup(g, v, p));
    const target = parseResourcePath(req.path, lookup);
    if (!target) return false;
    const query = req.query as Query;
    if (target.resource === HorizontalPodAutoscalersV1) return this.autoscalingV1(req, res, target, query);
    const store = this.store(target.resource);
    const method = req.method;
    if (target.subresource) {
      await this.subresource(req, res, store, target, query);
    } else if (target.name === undefined) {
      if (method === 'GET') await this.collectionGet(req, res, store, target, query);
      else if (method === 'POST') {
        if (this.customResources?.definitionOf(target.resource)?.metadata.deletionTimestamp)
          throw new StatusError({
            ...methodNotSupported(store.groupResource, 'create').status,
            message: 'create not allowed while custom resource definition is terminating',
          });
        await this.create(req, res, store, target, query);
      } else if (method === 'DELETE') await this.deleteCollection(req, res, store, target, query);
      else throw methodNotSupported(target.resource.plural, method);
    } else if (method === 'GET') {
      if (target.watchPath || flag(query, 'watch')) await this.watch(req, res, store, target, query);
      else this.send(req, res, store, await store.get(target.namespace, target.name), query);
    } else if (method === 'PUT') {
      const opts = this.writeOptions(req, res, isDryRun(query, 'UpdateOptions'), { query, options: 'UpdateOptions' });
      const obj = await store.update(target.namespace, target.name, this.body(req), undefined, opts);
      this.send(req, res, store, obj, query);
    } else if (method === 'PATCH') {
      await this.patch(req, res, store, target, query);
    } else if (method === 'DELETE') {
      const body = req.body?.length ? this.body(req) : undefined;
      const obj = await store.delete(
        target.namespace,
        target.name,
        deleteOptions(query, body),
        this.writeOptions(req, res, isDryRun(query, 'DeleteOptions', body as { dryRun?: unknown })),
      );
      this.send(req, res, store, obj, query);
    } else {
      throw methodNotSupported(target.resource.plural, method);
    }
    return true;
  }

  /** autoscaling/v1 HorizontalPodAutoscalers: get, list and create, converted to and from v2. */
  private async autoscalingV1(req: Request, res: Response, target: RequestTarget, query: Query): Promise<boolean> {
    const store = this.store(target.resource);
    if (target.subresource) throw methodNotSupported('horizontalpodautoscalers.autoscaling', req.method);
    if (req.method === 'POST' && target.name === undefined) {
      if (!target.namespace) throw badRequest('a namespace is required');
      const body = this.body(req) as Parameters<typeof toV2>[0];
      await admitNamespace(this.namespaces, target.namespace, `horizontalpodautoscalers.autoscaling "${body?.metadata?.name ?? ''}"`);
      const opts = this.writeOptions(req, res, isDryRun(query, 'CreateOptions'), { query, options: 'CreateOptions' });
      const created = await store.create(target.namespace, toV2(body), opts);
      res.status(201).json(toV1(created as HorizontalPodAutoscaler));
    } else if (req.method === 'GET' && target.name !== undefined) {
      res.json(toV1((await store.get(target.namespace, target.name)) as HorizontalPodAutoscaler));
    } else if (req.method === 'GET') {
      const { items, ...list } = await store.list(
        target.namespace,
        selectionPredicate(one(query, 'labelSelector'), one(query, 'fieldSelector')),
        listOptions(query),
      );
      res.json({
        kind: 'HorizontalPodAutoscalerList',
        apiVersion: 'autoscaling/v1',
        metadata: list,
        items: items.map((i) => toV1(i as HorizontalPodAutoscaler)),
      });
    } else {
      throw methodNotSupported('horizontalpodautoscalers.autoscaling/v1', req.method);
    }
    return true;
  }

  private body(req: Request): unknown {
    return decodeBody(req.body as Buffer | undefined, req.headers['content-type']);
  }

  /** Sends one object, or a one-row Table when kubectl asks for server-side printing. */
  private send(req: Request, res: Response, store: Store, obj: KubeObject, query: Query, code = 200): void {
    if (wantsTable(req.headers.accept)) {
      res.status(code).json(toTable(store.strategy.printer, [obj], { includeObject: includeObject(query) }));
    } else {
      res.status(code).json(obj);
    }
  }

  private async collectionGet(req: Request, res: Response, store: Store, target: RequestTarget, query: Query): Promise<void> {
    if (target.watchPath || flag(query, 'watch')) return this.watch(req, res, store, target, query);
    const predicate = selectionPredicate(one(query, 'labelSelector'), one(query, 'fieldSelector'));
    const { items, ...list } = await store.list(target.namespace, predicate, listOptions(query));
    if (wantsTable(req.headers.accept)) {
      res.json(toTable(store.strategy.printer, items, { includeObject: includeObject(query), list }));
      return;
    }
    res.json({ kind: `${store.resource.kind}List`, apiVersion: apiVersionOf(store.resource), metadata: list, items });
  }

  private async watch(req: Request, res: Response, store: Store, target: RequestTarget, query: Query): Promise<void> {
    const base = selectionPredicate(one(query, 'labelSelector'), one(query, 'fieldSelector'));
    const name = target.name;
    const table = wantsTable(req.headers.accept);
    const include = includeObject(query);
    await serveWatch(res, store, {
      namespace: target.namespace,
      resourceVersion: one(query, 'resourceVersion'),
      predicate: name === undefined ? base : (obj) => obj.metadata.name === name && base(obj),
      timeoutSeconds: intParam(query, 'timeoutSeconds'),
      allowBookmarks: flag(query, 'allowWatchBookmarks'),
      encode: table ? (obj) => toTable(store.strategy.printer, [obj], { includeObject: include }) : (obj) => obj,
    });
  }

  private async create(req: Request, res: Response, store: Store, target: RequestTarget, query: Query): Promise<void> {
    const body = this.body(req);
    if (target.resource.namespaced) {
      if (!target.namespace) throw badRequest('the server could not find the requested resource: a namespace is required');
      await admitNamespace(
        this.namespaces,
        target.namespace,
        `${store.groupResource} "${(body as { metadata?: { name?: string } })?.metadata?.name ?? ''}"`,
      );
    }
    const obj = await store.create(
      target.namespace,
      body,
      this.writeOptions(req, res, isDryRun(query, 'CreateOptions'), { query, options: 'CreateOptions' }),
    );
    this.send(req, res, store, obj, query, 201);
  }

  private async patch(req: Request, res: Response, store: Store, target: RequestTarget, query: Query, subresource?: string): Promise<void> {
    const type = patchType(req.headers['content-type']);
    // A custom resource has no Go struct to take patch strategies from: strategic merge is refused, as Kubernetes does.
    if (type === 'application/strategic-merge-patch+json' && this.customResources?.definitionOf(store.resource))
      throw new StatusError({
        ...unsupportedMediaType(type).status,
        message: `the body of the request was in an unknown format - accepted media types include: application/json-patch+json, application/merge-patch+json, application/apply-patch+yaml`,
      });
    const patchBody = this.body(req);
    const strictError = (unknown: string[], patched: KubeObject) => strictPatchError(type, patchBody, patched, unknown);
    const apply = type === 'application/apply-patch+yaml' && !subresource;
    const opts = this.writeOptions(req, res, isDryRun(query, 'PatchOptions'), { query, options: 'PatchOptions', strictError, apply });
    if (apply) {
      // Server-side apply: merged and owned by field (apiserver/fieldmanager), created when missing.
      const admitCreate = async () => {
        if (target.resource.namespaced) await admitNamespace(this.namespaces, target.namespace!, `${store.groupResource} "${target.name}"`);
      };
      const { object, created } = await store.apply(
        target.namespace,
        target.name!,
        patchBody,
        { manager: opts.manager!, force: flag(query, 'force'), admitCreate },
        opts,
      );
      this.send(req, res, store, object, query, created ? 201 : 200);
      return;
    }
    const mutate = (current: KubeObject) => applyPatch(current, patchBody, type, store.resource.kind);
    const obj = await store.guaranteedUpdate(target.namespace, target.name!, mutate, subresource, opts);
    this.send(req, res, store, obj, query);
  }

  private async deleteCollection(req: Request, res: Response, store: Store, target: RequestTarget, query: Query): Promise<void> {
    const body = req.body?.length ? this.body(req) : undefined;
    const options = deleteOptions(query, body);
    const predicate = selectionPredicate(one(query, 'labelSelector'), one(query, 'fieldSelector'));
    const { items } = await store.list(target.namespace, predicate);
    const opts = this.writeOptions(req, res, isDryRun(query, 'DeleteOptions', body as { dryRun?: unknown }));
    const deleted: KubeObject[] = [];
    for (const item of items) {
      try {
        deleted.push(await store.delete(item.metadata.namespace, item.metadata.name!, options, opts));
      } catch (err) {
        if ((err as { status?: { code?: number } }).status?.code !== 404) throw err;
      }
    }
    res.json({ kind: `${store.resource.kind}List`, apiVersion: apiVersionOf(store.resource), metadata: {}, items: deleted });
  }

  private async subresource(req: Request, res: Response, store: Store, target: RequestTarget, query: Query): Promise<void> {
    const { namespace, name, subresource } = target;
    if (name === undefined) throw notFound(target.resource.plural, '');
    if (target.proxy) return this.proxy(req, res, target, name);
    const method = req.method;
    const opts = this.writeOptions(req, res, method === 'GET' ? false : isDryRun(query, OPTIONS_OF[method] ?? 'UpdateOptions'), {
      query,
      options: OPTIONS_OF[method] ?? 'UpdateOptions',
    });
    switch (`${subresource} ${method}`) {
      case 'status GET':
        return this.send(req, res, store, await store.get(namespace, name), query);
      case 'status PUT':
        return this.send(req, res, store, await store.update(namespace, name, this.body(req), 'status', opts), query);
      case 'status PATCH':
        return this.patch(req, res, store, target, query, 'status');
      case 'scale GET':
        res.json(toScale(store, await store.get(namespace, name)));
        return;
      case 'scale PUT':
      case 'scale PATCH': {
        const body = this.body(req);
        const type = method === 'PATCH' ? patchType(req.headers['content-type']) : undefined;
        const scaleOpts = { ...opts, managerSubresource: 'scale' };
        const updated = await store.guaranteedUpdate(
          namespace,
          name,
          (current) => {
            const scale = toScale(store, current);
            const next = (type ? applyPatch(scale, body, type, 'Scale') : body) as Scale;
            const replicas = next.spec?.replicas;
            if (typeof replicas !== 'number' || !Number.isInteger(replicas) || replicas < 0)
              throw badRequest(`spec.replicas: Invalid value: ${JSON.stringify(replicas)}: must be greater than or equal to 0`);
            if (store.strategy.scale) store.strategy.scale.setSpecReplicas(current, replicas);
            else (current as Deployment).spec.replicas = replicas;
            return current;
          },
          undefined,
          scaleOpts,
          type ? undefined : (body as Scale).metadata?.resourceVersion,
        );
        res.json(toScale(store, updated));
        return;
      }
      case 'binding POST': {
        const binding = this.body(req) as Binding;
        if (!binding?.target?.name) throw badRequest('Binding target.name is required');
        await store.guaranteedUpdate(namespace, name, (current) => bindPod(current as Pod, binding), 'binding', opts);
        res.status(201).json(statusSuccess());
        return;
      }
      case 'finalize PUT': {
        const body = this.body(req) as { spec?: { finalizers?: string[] } };
        const obj = await store.guaranteedUpdate(
          undefined,
          name,
          (current) => {
            (current as { spec?: { finalizers?: string[] } }).spec = { finalizers: body.spec?.finalizers ?? [] };
            return current;
          },
          'finalize',
          opts,
        );
        return this.send(req, res, store, obj, query);
      }
      case 'approval GET':
        return this.send(req, res, store, await store.get(namespace, name), query);
      case 'approval PUT': {
        const body = this.body(req) as CertificateSigningRequest;
        const obj = await store.guaranteedUpdate(
          namespace,
          name,
          (current) => approve(current as CertificateSigningRequest, body),
          'approval',
          opts,
          body?.metadata?.resourceVersion,
        );
        return this.send(req, res, store, obj, query);
      }
      case 'eviction POST': {
        const stores = { pods: store, podDisruptionBudgets: this.store(PodDisruptionBudgets) };
        const writeOpts = this.writeOptions(req, res, isDryRun(query, 'CreateOptions'));
        res.status(201).json(await evictPod(stores, namespace!, name, this.body(req), writeOpts));
        return;
      }
      case 'token POST': {
        if (!this.tokenIssuer) throw methodNotSupported('serviceaccounts/token', method);
        const stores = { serviceAccounts: store, pods: this.store(Pods), secrets: this.store(Secrets), nodes: this.store(Nodes) };
        const writeOpts = { ...this.writeOptions(req, res, false), warn: (warning: string) => addWarning(res, warning) };
        res.status(201).json(await createToken(stores, this.tokenIssuer, namespace!, name, this.body(req), writeOpts));
        return;
      }
      case 'log GET':
        return streamPodLog(
          res,
          (await store.get(namespace, name)) as Pod,
          this.store({ group: '', plural: 'nodes' } as ResourceInfo),
          this.kubelets,
          query,
        );
      // kubectl 1.30+ asks with a WebSocket GET first, then with a SPDY POST.
      case 'exec GET':
      case 'exec POST':
      case 'attach GET':
      case 'attach POST':
      case 'portforward GET':
      case 'portforward POST':
        return connectPod(
          req,
          res,
          (await store.get(namespace, name)) as Pod,
          this.store({ group: '', plural: 'nodes' } as ResourceInfo),
          this.kubelets,
          subresource as 'exec' | 'attach' | 'portforward',
        );
      default:
        throw methodNotSupported(`${target.resource.plural}/${subresource}`, method);
    }
  }

  /** `<pods|services|nodes>/<[scheme:]name[:port]>/proxy/...`: on to the location the object names. */
  private async proxy(req: Request, res: Response, target: RequestTarget, id: string): Promise<void> {
    const get = (plural: string) => this.store({ group: '', plural } as ResourceInfo);
    const namespace = target.namespace ?? '';
    let location: ProxyLocation;
    if (target.resource.plural === 'pods') location = await podLocation(get('pods'), namespace, id);
    else if (target.resource.plural === 'services')
      location = await serviceLocation({ services: get('services'), endpoints: get('endpoints'), pods: get('pods') }, namespace, id);
    else location = await nodeLocation(get('nodes'), id);
    await proxyRequest(req, res, location, target.proxy!.path, target.proxy!.prefix, this.kubelets);
  }
}

/**
 * A PATCH that adds unknown fields under Strict fails as Kubernetes fails it: 422 on the `patch` field,
 * showing the patch as Go prints a map (strategic merge) or the patched object's JSON (JSON and merge patches).
 */
function strictPatchError(type: PatchType, patch: unknown, patched: KubeObject, unknown: string[]): StatusError {
  const shown = type === 'application/strategic-merge-patch+json' ? goMapString(patch) : JSON.stringify(patched);
  return invalid('', '', [fieldError.invalid('patch', shown, strictDecodingError(unknown))]);
}

/** A JSON value as Go's fmt prints the map it decodes to: `map[spec:map[replicas:2]]`, keys sorted. */
function goMapString(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(goMapString).join(' ')}]`;
  if (v !== null && typeof v === 'object') {
    const entries = Object.entries(v).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `map[${entries.map(([k, x]) => `${k}:${goMapString(x)}`).join(' ')}]`;
  }
  return v === null ? '<nil>' : String(v);
}

/** The options a write's query parameters are, by method. */
const OPTIONS_OF: Record<string, OptionsKind> = {
  POST: 'CreateOptions',
  PUT: 'UpdateOptions',
  PATCH: 'PatchOptions',
  DELETE: 'DeleteOptions',
};

function includeObject(query: Query): IncludeObject {
  const v = one(query, 'includeObject');
  return v === 'None' || v === 'Object' ? v : 'Metadata';
}

/** The autoscaling/v1 Scale view of a Deployment, ReplicaSet or ReplicationController (whose selector is a map), or of a
 * custom resource with a scale subresource. */
function toScale(store: Store, obj: KubeObject): Scale {
  const resource = store.resource;
  const w = obj as Deployment | ReplicaSet | ReplicationController;
  const m = w.metadata;
  const selector =
    resource.kind === 'ReplicationController' ? { matchLabels: (w as ReplicationController).spec.selector } : w.spec.selector;
  const custom = store.strategy.scale;
  return {
    kind: 'Scale',
    apiVersion: 'autoscaling/v1',
    metadata: {
      name: m.name,
      namespace: m.namespace,
      uid: m.uid,
      resourceVersion: m.resourceVersion,
      creationTimestamp: m.creationTimestamp,
    },
    spec: { replicas: custom ? custom.specReplicas(obj) : (w.spec.replicas ?? 1) },
    status: custom
      ? { replicas: custom.statusReplicas(obj), ...(custom.selector(obj) ? { selector: custom.selector(obj) } : {}) }
      : { replicas: w.status?.replicas ?? 0, selector: formatLabelSelector(selector as ReplicaSet['spec']['selector']) },
  };
}
