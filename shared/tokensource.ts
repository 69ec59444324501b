// A bearer token kept in a file that someone else rewrites (the kubelet refreshes a pod's projected
// ServiceAccount token before it expires), as client-go's transport.NewCachedFileTokenSource: the file is
// read again once the token read last is a minute old, and a read that fails keeps the last good token.
import fs from 'node:fs';
import type { Clock } from './clock';
import { realClock } from './clock';

/** client-go reads a token file again after a minute. */
export const TOKEN_FILE_REFRESH_MS = 60_000;

export class CachedFileToken {
  private token: string | undefined;
  private readAt = -Infinity;

  constructor(
    readonly file: string,
    private readonly clock: Clock = realClock,
    private readonly refreshMs = TOKEN_FILE_REFRESH_MS,
  ) {}

  /** The token, read from the file when the last read is `refreshMs` old; throws only if no read ever worked. */
  get(): string {
    if (this.token !== undefined && this.clock.now() - this.readAt < this.refreshMs) return this.token;
    try {
      const token = fs.readFileSync(this.file, 'utf8').trim();
      if (!token) throw new Error(`${this.file}: empty token file`);
      this.token = token;
      this.readAt = this.clock.now();
    } catch (err) {
      if (this.token === undefined) throw err;
    }
    return this.token;
  }
}
