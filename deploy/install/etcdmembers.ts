// etcd's membership, as kubeadm changes it when a control-plane machine joins or leaves: through etcd's
// cluster API (MemberList, MemberAdd, MemberRemove), here over etcd's HTTP gateway (POST /v3/cluster/...
// with JSON bodies) on its client port, over TLS with a client certificate of the cluster CA. The
// installer is no apiserver: it does not import the etcd client library, and needs three calls only.
//   join:  MemberAdd(own peer URL) on a running member, then start etcd with the member list it answered
//          as --initial-cluster and --initial-cluster-state=existing: the new member catches up from the others
//   leave: MemberRemove(own ID) on its own etcd, which then stops serving
import https from 'node:https';

/** One member as etcd's MemberList answers it (the gateway writes uint64 IDs as strings). */
export interface EtcdMember {
  id: string;
  /** Empty for a member added but not started yet. */
  name: string;
  peerURLs: string[];
  clientURLs: string[];
}

/** A client certificate of the cluster CA etcd admits, and that CA. */
export interface EtcdTLS {
  ca: Buffer;
  cert: Buffer;
  key: Buffer;
}

/** The members of a MemberList/MemberAdd/MemberRemove answer; throws on anything else. */
export function parseMembers(body: unknown): EtcdMember[] {
  const members = (body as { members?: unknown })?.members;
  if (!Array.isArray(members)) throw new Error('the etcd answer lists no members');
  const strings = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : []);
  return members.map((m: Record<string, unknown>) => {
    if (typeof m?.ID !== 'string' || !/^\d+$/.test(m.ID)) throw new Error('an etcd member without an ID');
    return { id: m.ID, name: typeof m.name === 'string' ? m.name : '', peerURLs: strings(m.peerURLs), clientURLs: strings(m.clientURLs) };
  });
}

/**
 * --initial-cluster for a member joining `members` (which already holds it, as MemberAdd answers):
 * `name=peerURL` for every started member, and for itself under its own name.
 */
export function initialCluster(members: EtcdMember[], self: { name: string; peerURL: string }): string {
  return members
    .flatMap((m) => {
      if (m.peerURLs.includes(self.peerURL)) return [`${self.name}=${self.peerURL}`];
      return m.name ? m.peerURLs.map((u) => `${m.name}=${u}`) : [];
    })
    .join(',');
}

/** The member whose peer URL is this one, if any. */
export const memberWithPeerURL = (members: EtcdMember[], peerURL: string) => members.find((m) => m.peerURLs.includes(peerURL));

/** Every member's client URLs, each once: what the apiserver's --etcd-servers lists. */
export const clientURLs = (members: EtcdMember[]) => [...new Set(members.flatMap((m) => m.clientURLs))];

function call(endpoint: string, tls: EtcdTLS, method: string, body: object): Promise<unknown> {
  const url = new URL(`/v3/cluster/member/${method}`, endpoint);
  const payload = JSON.stringify(body);
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method: 'POST',
        ca: tls.ca,
        cert: tls.cert,
        key: tls.key,
        timeout: 10_000,
        headers: { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(payload) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString();
          let answer: { error?: string; message?: string } | undefined;
          try {
            answer = JSON.parse(text);
          } catch {
            // not JSON: reported below
          }
          if (res.statusCode === 200 && answer && !answer.error) return resolve(answer);
          reject(new Error(`etcd ${method} at ${endpoint}: HTTP ${res.statusCode} ${answer?.message ?? text.trim()}`));
        });
      },
    );
    req.on('timeout', () => req.destroy(new Error(`etcd ${method} at ${endpoint}: no answer`)));
    req.on('error', reject);
    req.end(payload);
  });
}

/** The ID of the member that answered (the header's member_id): asked on loopback, this machine's own. */
export function answeringMember(body: unknown): string {
  const id = (body as { header?: { member_id?: unknown } })?.header?.member_id;
  if (typeof id !== 'string' || !/^\d+$/.test(id)) throw new Error('the etcd answer names no member');
  return id;
}

/** MemberList: the members, and which of them answered. */
export async function listMembers(endpoint: string, tls: EtcdTLS): Promise<{ self: string; members: EtcdMember[] }> {
  const answer = await call(endpoint, tls, 'list', {});
  return { self: answeringMember(answer), members: parseMembers(answer) };
}

/** MemberAdd; the members afterwards, the new one among them (not started: no name, no client URLs). */
export const addMember = async (endpoint: string, tls: EtcdTLS, peerURL: string) =>
  parseMembers(await call(endpoint, tls, 'add', { peerURLs: [peerURL] }));

export const removeMember = async (endpoint: string, tls: EtcdTLS, id: string) =>
  parseMembers(await call(endpoint, tls, 'remove', { ID: id }));

/**
 * etcd refuses to add or remove a member while one has not been connected for a few seconds (strict
 * reconfiguration: a member just added, or one just restarted).
 */
const RECONFIGURATION_REFUSED = /unhealthy cluster|not enough started members/;
const RECONFIGURATION_TIMEOUT_MS = 60_000;

/** Runs a member change again every 2 s while etcd refuses it as above, for up to a minute. */
export async function retryWhileReconfigurationRefused<T>(
  change: () => Promise<T>,
  deadline = Date.now() + RECONFIGURATION_TIMEOUT_MS,
): Promise<T> {
  for (;;) {
    try {
      return await change();
    } catch (err) {
      if (!RECONFIGURATION_REFUSED.test(String(err)) || Date.now() > deadline) throw err;
    }
    await new Promise((r) => setTimeout(r, 2000));
  }
}
