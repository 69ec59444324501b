// `kubeadm token create|list|delete` for this cluster: bootstrap tokens are Secrets in kube-system,
// created with a time to live (24 h unless told; 0 never expires), listed with kubeadm's columns, and
// deleted by id. A worker joins with one; the controller-manager deletes them once expired.
import type { Secret } from '../../shared/api/core';
import { Secrets } from '../../shared/api/resources';
import {
  BOOTSTRAP_TOKEN_SECRET_PREFIX,
  bootstrapTokenSecret,
  DEFAULT_NODE_TOKEN_GROUP,
  DESCRIPTION,
  EXPIRATION,
  EXTRA_GROUPS,
  generateToken,
  isBootstrapTokenSecret,
  KNOWN_USAGES,
  parseToken,
  secretData,
  TOKEN_ID,
  TOKEN_SECRET,
  TokenUsage,
  USAGE_PREFIX,
} from '../../shared/bootstraptoken';
import type { Client } from '../../shared/client';
import { isNotFound } from '../../shared/errors';

export const DEFAULT_TTL_MS = 24 * 3600_000;

export interface TokenOptions {
  /** 0: the token never expires. */
  ttlMs: number;
  usages: TokenUsage[];
  groups: string[];
  description?: string;
  /** The token to store; a random one when absent. */
  token?: string;
}

export const defaultTokenOptions = (ttlMs = DEFAULT_TTL_MS, description?: string): TokenOptions => ({
  ttlMs,
  usages: ['signing', 'authentication'],
  groups: [DEFAULT_NODE_TOKEN_GROUP],
  description,
});

const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** Stores a new bootstrap token and returns it. */
export async function createToken(client: Client, o: TokenOptions, now = Date.now()): Promise<string> {
  const token = o.token ?? generateToken();
  const secret = bootstrapTokenSecret({
    token,
    usages: o.usages,
    groups: o.groups,
    description: o.description,
    expiration: o.ttlMs > 0 ? rfc3339(now + o.ttlMs) : undefined,
  });
  await client.resource<Secret>(Secrets).create(secret);
  return token;
}

/** Kubernetes' duration.ShortHumanDuration: `45s`, `12m`, `23h`, `3d`, `2y`. */
function shortHumanDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  if (s < 60) return `${s}s`;
  if (s < 3600) return `${Math.floor(s / 60)}m`;
  if (s < 86400) return `${Math.floor(s / 3600)}h`;
  if (s < 86400 * 365) return `${Math.floor(s / 86400)}d`;
  return `${Math.floor(s / 86400 / 365)}y`;
}

/** Columns padded as kubeadm's tabwriter pads them (three spaces between). */
function columns(rows: string[][]): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => r[i].length)));
  return rows
    .map((r) =>
      r
        .map((cell, i) => (i === r.length - 1 ? cell : cell.padEnd(widths[i] + 3)))
        .join('')
        .trimEnd(),
    )
    .join('\n');
}

/** `kubeadm token list`: one row per bootstrap token Secret. */
export function formatTokenList(secrets: Secret[], now: number): string {
  const rows = [['TOKEN', 'TTL', 'EXPIRES', 'USAGES', 'DESCRIPTION', 'EXTRA GROUPS']];
  for (const s of secrets.filter(isBootstrapTokenSecret)) {
    const expiration = secretData(s, EXPIRATION);
    const left = expiration ? Date.parse(expiration) - now : Infinity;
    const usages = KNOWN_USAGES.filter((u) => secretData(s, `${USAGE_PREFIX}${u}`) === 'true').sort();
    rows.push([
      `${secretData(s, TOKEN_ID)}.${secretData(s, TOKEN_SECRET)}`,
      !expiration ? '<forever>' : left > 0 ? shortHumanDuration(left) : '<invalid>',
      expiration || '<never>',
      usages.join(',') || '<none>',
      secretData(s, DESCRIPTION) || '<none>',
      secretData(s, EXTRA_GROUPS),
    ]);
  }
  return `${columns(rows)}\n`;
}

export async function listTokens(client: Client, now = Date.now()): Promise<string> {
  const { items } = await client.resource<Secret>(Secrets).list('kube-system');
  return formatTokenList(items, now);
}

/** Deletes a token given by its id or as a whole; the line kubeadm prints. */
export async function deleteToken(client: Client, idOrToken: string): Promise<string> {
  const id = parseToken(idOrToken)?.id ?? idOrToken;
  if (!/^[a-z0-9]{6}$/.test(id)) throw new Error(`given token didn't match pattern "[a-z0-9]{6}" or "[a-z0-9]{6}.[a-z0-9]{16}"`);
  try {
    await client.resource<Secret>(Secrets).delete('kube-system', `${BOOTSTRAP_TOKEN_SECRET_PREFIX}${id}`);
  } catch (err) {
    if (isNotFound(err)) throw new Error(`failed to delete bootstrap token "${id}": it does not exist`, { cause: err });
    throw err;
  }
  return `bootstrap token "${id}" deleted`;
}
