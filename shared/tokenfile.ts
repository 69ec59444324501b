// Static token authentication: the --token-auth-file CSV of kube-apiserver, one user per line:
//   token,user,uid,"group1,group2"
import fs from 'node:fs';
import type { UserInfo } from './api/authentication';

/** Splits one CSV line; a quoted field may hold commas. */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let current = '';
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (ch === ',' && !quoted) {
      fields.push(current);
      current = '';
    } else current += ch;
  }
  fields.push(current);
  return fields.map((f) => f.trim());
}

/** Parses the file's text into token → user. Lines with fewer than three fields are refused. */
export function parseTokenFile(text: string): Map<string, UserInfo> {
  const users = new Map<string, UserInfo>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.trim();
    if (!line || line.startsWith('#')) return;
    const [token, username, uid, groups] = csvFields(line);
    if (!token || !username || uid === undefined) throw new Error(`token file line ${i + 1}: want token,user,uid[,"groups"]`);
    users.set(token, {
      username,
      uid,
      groups: groups
        ? groups
            .split(',')
            .map((g) => g.trim())
            .filter(Boolean)
        : [],
    });
  });
  return users;
}

export function loadTokenFile(file: string): Map<string, UserInfo> {
  return parseTokenFile(fs.readFileSync(file, 'utf8'));
}

/** Each user's token, by user name: what a kubeconfig for that user carries. */
export function tokensByUser(file: string): Map<string, string> {
  return new Map([...loadTokenFile(file)].map(([token, user]) => [user.username, token]));
}

/** One CSV line for a user, quoted as Kubernetes' own tools write it. */
export function tokenFileLine(token: string, user: UserInfo): string {
  return `${token},${user.username},${user.uid ?? user.username}${user.groups?.length ? `,"${user.groups.join(',')}"` : ''}`;
}
