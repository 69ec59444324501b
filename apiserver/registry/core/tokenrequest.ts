// POST serviceaccounts/<name>/token (authentication.k8s.io/v1 TokenRequest), as Kubernetes' TokenREST
// does it: the ServiceAccount must exist; the audiences default to the apiserver's (--api-audiences), the
// lifetime to an hour (at least ten minutes, at most --service-account-max-token-expiration, beyond which
// it is shortened with a warning); a boundObjectRef names a Pod or a Secret of the namespace, which must
// exist (with the uid given, if one is), and a Pod must run as this ServiceAccount. The answer is the
// request with status.token, an RS256 JWT (../../serviceaccount), and status.expirationTimestamp.
// Nothing is stored: the token lives as long as its claims say and its bound objects exist.
import { randomUUID } from 'node:crypto';
import type { BoundObjectReference, TokenRequest } from '../../../shared/api/authentication';
import type { Node, Pod, ServiceAccount } from '../../../shared/api/core';
import { rfc3339 } from '../../../shared/api/meta';
import { ServiceAccounts } from '../../../shared/api/resources';
import { badRequest, conflict, fieldError, invalid, isNotFound } from '../../../shared/errors';
import { BoundObjects, serviceAccountClaims } from '../../serviceaccount/claims';
import { IdentifiedKey, signJWT } from '../../serviceaccount/jwt';
import type { Store, WriteOptions } from '../store';

export const DEFAULT_EXPIRATION_SECONDS = 3600;
const MIN_EXPIRATION_SECONDS = 600;
const MAX_EXPIRATION_SECONDS = 2 ** 32;
const GROUP = 'authentication.k8s.io';

/** How this apiserver issues tokens (its --service-account-* flags). */
export interface TokenIssuer {
  /** The first --service-account-issuer: the `iss` of every token made here. */
  issuer: string;
  /** --api-audiences: the audiences of a request that names none. */
  apiAudiences: string[];
  /** --service-account-signing-key-file. */
  signingKey: IdentifiedKey;
  /** --service-account-max-token-expiration, in seconds; 0: no limit. */
  maxExpirationSeconds: number;
  now?: () => number;
}

export interface TokenStores {
  serviceAccounts: Store;
  pods: Store;
  secrets: Store;
  nodes: Store;
}

const isStringArray = (v: unknown): v is string[] => Array.isArray(v) && v.every((s) => typeof s === 'string');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The request body, checked field by field (it is hostile) and defaulted (SetDefaults_TokenRequestSpec). */
export function decodeTokenRequest(body: unknown): TokenRequest {
  if (!isObject(body)) throw badRequest('the body of the request must be a TokenRequest object');
  if (body.kind !== undefined && body.kind !== 'TokenRequest') throw badRequest(`TokenRequest expected, got ${JSON.stringify(body.kind)}`);
  const metadata = body.metadata === undefined ? {} : body.metadata;
  const spec = body.spec === undefined ? {} : body.spec;
  if (!isObject(metadata) || !isObject(spec)) throw badRequest('metadata and spec must be objects');
  const { audiences, expirationSeconds, boundObjectRef } = spec;
  if (audiences !== undefined && audiences !== null && !isStringArray(audiences))
    throw badRequest('spec.audiences must be a list of strings');
  // kubectl 1.27 sends `"expirationSeconds": null` when --duration is not given (a Go *int64 without omitempty).
  if (expirationSeconds !== undefined && expirationSeconds !== null && !Number.isSafeInteger(expirationSeconds))
    throw badRequest('spec.expirationSeconds must be an integer');
  if (boundObjectRef !== undefined && boundObjectRef !== null) {
    if (!isObject(boundObjectRef) || !Object.values(boundObjectRef).every((v) => typeof v === 'string'))
      throw badRequest('spec.boundObjectRef must be an object of strings (kind, apiVersion, name, uid)');
  }
  const name = typeof metadata.name === 'string' ? metadata.name : undefined;
  const namespace = typeof metadata.namespace === 'string' ? metadata.namespace : undefined;
  return {
    apiVersion: `${GROUP}/v1`,
    kind: 'TokenRequest',
    metadata: { ...(name ? { name } : {}), ...(namespace ? { namespace } : {}) },
    spec: {
      audiences: (audiences as string[] | undefined | null) ?? [],
      expirationSeconds: (expirationSeconds as number | undefined | null) ?? DEFAULT_EXPIRATION_SECONDS,
      ...(isObject(boundObjectRef) ? { boundObjectRef: boundObjectRef as BoundObjectReference } : {}),
    },
  };
}

/** The body names, if at all, the ServiceAccount of the URL. */
function checkTarget({ metadata }: TokenRequest, namespace: string, name: string): void {
  if (metadata.name && metadata.name !== name)
    throw invalid(
      'TokenRequest',
      name,
      [fieldError.invalid('metadata.name', metadata.name, 'must match the service account name if specified')],
      GROUP,
    );
  if (metadata.namespace && metadata.namespace !== namespace)
    throw invalid(
      'TokenRequest',
      name,
      [fieldError.invalid('metadata.namespace', metadata.namespace, 'must match the service account namespace if specified')],
      GROUP,
    );
}

/** ValidateTokenRequest: the lifetime asked for. */
export function validateTokenRequest({ spec }: TokenRequest): void {
  const seconds = spec.expirationSeconds!;
  const causes = [
    ...(seconds < MIN_EXPIRATION_SECONDS
      ? [fieldError.invalid('spec.expirationSeconds', seconds, 'may not specify a duration less than 10 minutes')]
      : []),
    ...(seconds > MAX_EXPIRATION_SECONDS
      ? [fieldError.invalid('spec.expirationSeconds', seconds, 'may not specify a duration larger than 2^32 seconds')]
      : []),
  ];
  if (causes.length) throw invalid('TokenRequest', '', causes, GROUP);
}

const getOrUndefined = (store: Store, namespace: string | undefined, name: string) =>
  store.get(namespace, name).catch((err: unknown) => {
    if (isNotFound(err)) return undefined;
    throw err;
  });

/** The objects the token is bound to: the pod (and its node) or the secret of `ref`, checked against it. */
async function boundObjects(stores: TokenStores, namespace: string, saName: string, ref?: BoundObjectReference): Promise<BoundObjects> {
  if (!ref) return {};
  const name = ref.name ?? '';
  const [group, version] = (ref.apiVersion ?? '').includes('/') ? ref.apiVersion!.split('/') : ['', ref.apiVersion ?? ''];
  let bound: BoundObjects;
  let uid: string | undefined;
  if (group === '' && ref.kind === 'Pod') {
    const pod = (await stores.pods.get(namespace, name)) as Pod;
    if (pod.spec.serviceAccountName !== saName)
      throw badRequest(`cannot bind token for serviceaccount "${saName}" to pod running with different serviceaccount name.`);
    uid = pod.metadata.uid;
    bound = { pod: { name: pod.metadata.name!, uid: uid! } };
    const nodeName = pod.spec.nodeName;
    if (nodeName) {
      // A node that does not exist (yet, or any more) is still named, without its uid.
      const node = (await getOrUndefined(stores.nodes, undefined, nodeName)) as Node | undefined;
      bound.node = { name: nodeName, ...(node?.metadata.uid ? { uid: node.metadata.uid } : {}) };
    }
  } else if (group === '' && ref.kind === 'Secret') {
    const secret = await stores.secrets.get(namespace, name);
    uid = secret.metadata.uid;
    bound = { secret: { name: secret.metadata.name!, uid: uid! } };
  } else if (group === '' && ref.kind === 'Node') {
    throw badRequest('cannot bind token to a Node object as the "ServiceAccountTokenNodeBinding" feature-gate is disabled');
  } else {
    throw badRequest(`cannot bind token to object of type ${group}/${version}, Kind=${ref.kind ?? ''}`);
  }
  if (ref.uid && ref.uid !== uid)
    throw conflict(
      ref.kind!,
      name,
      `the UID in the bound object reference (${ref.uid}) does not match the UID in record. The object might have been deleted and then recreated`,
    );
  return bound;
}

/**
 * Creates a token for the ServiceAccount `namespace/name`. `opts.admission` sees the request (NodeRestriction
 * lets a kubelet ask only for tokens bound to its own pods); `warn` carries the shortened-expiration warning.
 */
export async function createToken(
  stores: TokenStores,
  issuer: TokenIssuer,
  namespace: string,
  name: string,
  body: unknown,
  opts: WriteOptions & { warn: (warning: string) => void },
): Promise<TokenRequest> {
  const request = decodeTokenRequest(body);
  checkTarget(request, namespace, name);
  const serviceAccount = (await stores.serviceAccounts.get(namespace, name)) as ServiceAccount;
  if (!request.spec.audiences?.length) request.spec.audiences = issuer.apiAudiences;
  const now = (issuer.now ?? Date.now)();
  request.metadata = { name, namespace, creationTimestamp: rfc3339(new Date(now)) };
  validateTokenRequest(request);
  await opts.admission?.({ operation: 'CREATE', resource: ServiceAccounts, subresource: 'token', namespace, name, object: request });
  const bound = await boundObjects(stores, namespace, name, request.spec.boundObjectRef);
  const max = issuer.maxExpirationSeconds;
  if (max > 0 && request.spec.expirationSeconds! > max) {
    opts.warn(`requested expiration of ${request.spec.expirationSeconds} seconds shortened to ${max} seconds`);
    request.spec.expirationSeconds = max;
  }
  const claims = serviceAccountClaims({
    issuer: issuer.issuer,
    serviceAccount,
    bound,
    audiences: request.spec.audiences,
    expirationSeconds: request.spec.expirationSeconds!,
    now,
    jti: randomUUID(),
  });
  const token = await signJWT(claims, issuer.signingKey);
  return { ...request, status: { token, expirationTimestamp: rfc3339(new Date(now + request.spec.expirationSeconds! * 1000)) } };
}
