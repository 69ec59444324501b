// Bootstrap tokens (k8s.io/cluster-bootstrap): short-lived bearer tokens `<id>.<secret>` that let a new
// node join. Each is a Secret `kube-system/bootstrap-token-<id>` of type `bootstrap.kubernetes.io/token`;
// the apiserver authenticates it as `system:bootstrap:<id>`, the controller-manager signs cluster-info
// with it and deletes it once expired, and the installer creates, lists and deletes them (kubeadm token).
import crypto from 'node:crypto';
import type { Secret } from './api/core';

export const BOOTSTRAP_TOKEN_SECRET_TYPE = 'bootstrap.kubernetes.io/token';
export const BOOTSTRAP_TOKEN_SECRET_PREFIX = 'bootstrap-token-';
export const BOOTSTRAP_USER_PREFIX = 'system:bootstrap:';
export const BOOTSTRAPPERS_GROUP = 'system:bootstrappers';
/** The extra group kubeadm gives the tokens it makes, the one its RBAC bindings name. */
export const DEFAULT_NODE_TOKEN_GROUP = 'system:bootstrappers:kubeadm:default-node-token';

/** The Secret's data keys. */
export const TOKEN_ID = 'token-id';
export const TOKEN_SECRET = 'token-secret';
export const EXPIRATION = 'expiration';
export const DESCRIPTION = 'description';
export const EXTRA_GROUPS = 'auth-extra-groups';
export const USAGE_PREFIX = 'usage-bootstrap-';
export const KNOWN_USAGES = ['signing', 'authentication'] as const;
export type TokenUsage = (typeof KNOWN_USAGES)[number];

const TOKEN_PATTERN = /^([a-z0-9]{6})\.([a-z0-9]{16})$/;
const GROUP_PATTERN = /^system:bootstrappers:[a-z0-9:-]{0,255}[a-z0-9]$/;
const SECRET_NAME_PATTERN = /^bootstrap-token-([a-z0-9]{6})$/;
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

/** `<id>.<secret>` split, or undefined when the text is not a bootstrap token. */
export function parseToken(token: string): { id: string; secret: string } | undefined {
  const m = TOKEN_PATTERN.exec(token);
  return m ? { id: m[1], secret: m[2] } : undefined;
}

/** A new random token, `[a-z0-9]{6}.[a-z0-9]{16}`, each character drawn without bias. */
export function generateToken(): string {
  const pick = (n: number) => Array.from({ length: n }, () => ALPHABET[crypto.randomInt(ALPHABET.length)]).join('');
  return `${pick(6)}.${pick(16)}`;
}

/** The token id a Secret's name carries, or undefined when it is not a bootstrap token's name. */
export function tokenIdOfSecretName(name: string | undefined): string | undefined {
  return SECRET_NAME_PATTERN.exec(name ?? '')?.[1];
}

export function validGroupName(group: string): boolean {
  return GROUP_PATTERN.test(group);
}

/** A value of the Secret's data (base64 in the API), '' when absent. */
export function secretData(secret: Secret, key: string): string {
  const v = secret.data?.[key];
  return v === undefined ? '' : Buffer.from(v, 'base64').toString('utf8');
}

/**
 * Milliseconds left before the token expires: Infinity without an expiration, 0 once expired or when the
 * expiration cannot be parsed (such a token counts as expired, as Kubernetes treats it).
 */
export function timeRemaining(secret: Secret, nowMs: number): number {
  const expiration = secretData(secret, EXPIRATION);
  if (!expiration) return Infinity;
  const at = Date.parse(expiration);
  if (!/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/.test(expiration) || Number.isNaN(at)) return 0;
  return Math.max(0, at - nowMs);
}

export const isExpired = (secret: Secret, nowMs: number): boolean => timeRemaining(secret, nowMs) === 0;

export const hasUsage = (secret: Secret, usage: TokenUsage): boolean => secretData(secret, `${USAGE_PREFIX}${usage}`) === 'true';

/** `system:bootstrappers` and the valid extra groups, sorted; undefined when an extra group is invalid. */
export function tokenGroups(secret: Secret): string[] | undefined {
  const extra = secretData(secret, EXTRA_GROUPS);
  const groups = new Set([BOOTSTRAPPERS_GROUP]);
  for (const g of extra ? extra.split(',') : []) {
    if (!validGroupName(g)) return undefined;
    groups.add(g);
  }
  return [...groups].sort();
}

export interface BootstrapTokenSpec {
  token: string;
  /** RFC 3339 time after which the token is refused and deleted; none: it never expires. */
  expiration?: string;
  usages: TokenUsage[];
  groups: string[];
  description?: string;
}

/** The Secret that stores a token, as `kubeadm token create` writes it. */
export function bootstrapTokenSecret(spec: BootstrapTokenSpec): Secret {
  const parsed = parseToken(spec.token);
  if (!parsed) throw new Error(`the bootstrap token "${spec.token}" was not of the form "[a-z0-9]{6}.[a-z0-9]{16}"`);
  for (const g of spec.groups)
    if (!validGroupName(g)) throw new Error(`bootstrap group "${g}" is invalid (must match ${GROUP_PATTERN.source})`);
  const stringData: Record<string, string> = { [TOKEN_ID]: parsed.id, [TOKEN_SECRET]: parsed.secret };
  if (spec.description) stringData[DESCRIPTION] = spec.description;
  if (spec.expiration) stringData[EXPIRATION] = spec.expiration;
  for (const u of spec.usages) stringData[`${USAGE_PREFIX}${u}`] = 'true';
  if (spec.groups.length) stringData[EXTRA_GROUPS] = spec.groups.join(',');
  return {
    metadata: { name: `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${parsed.id}`, namespace: 'kube-system' },
    type: BOOTSTRAP_TOKEN_SECRET_TYPE,
    stringData,
  };
}

/** Whether a Secret is a well-formed bootstrap token: its type, and an id matching its name. */
export function isBootstrapTokenSecret(secret: Secret): boolean {
  const id = tokenIdOfSecretName(secret.metadata.name);
  return secret.type === BOOTSTRAP_TOKEN_SECRET_TYPE && id !== undefined && secretData(secret, TOKEN_ID) === id;
}
