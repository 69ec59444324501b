// Limits that keep one client from exhausting the apiserver: open watches per user are bounded (each
// holds an etcd watch and a connection); beyond the bound a watch gets 429 TooManyRequests with a
// Retry-After, as Kubernetes' max-in-flight filter answers. Body size (413) is in body.ts; header size
// and slow request timeouts are set on the server in main.ts.
import type { NextFunction, Request, Response } from 'express';
import { StatusError, statusFailure } from '../../shared/errors';
import { requestInfoOf, userOf } from './auth';

export const MAX_WATCHES_PER_USER = 200;

/** Counts what each user holds open, up to a bound. */
export class PerUserLimit {
  private readonly open = new Map<string, number>();

  constructor(readonly max: number) {}

  /** Takes one slot for `user`; false when the user already holds `max`. */
  acquire(user: string): boolean {
    const count = this.open.get(user) ?? 0;
    if (count >= this.max) return false;
    this.open.set(user, count + 1);
    return true;
  }

  release(user: string): void {
    const left = (this.open.get(user) ?? 1) - 1;
    if (left > 0) this.open.set(user, left);
    else this.open.delete(user);
  }
}

export function watchLimit(limit = new PerUserLimit(MAX_WATCHES_PER_USER)) {
  return (req: Request, res: Response, next: NextFunction) => {
    if (requestInfoOf(req, res).verb !== 'watch') return next();
    const user = userOf(res).username;
    if (!limit.acquire(user)) {
      res.setHeader('Retry-After', '1');
      throw new StatusError({
        ...statusFailure(429, 'TooManyRequests', `too many open watches for user "${user}" (at most ${limit.max})`),
        details: { retryAfterSeconds: 1 },
      });
    }
    res.on('close', () => limit.release(user));
    next();
  };
}
