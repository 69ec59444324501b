// The ServiceAccount token authenticator (kube-apiserver --service-account-key-file, --service-account-issuer,
// --api-audiences): a bearer token that is a JWT from one of this cluster's issuers, signed by one of the
// verifying keys, is the ServiceAccount it names while
//   - it is within its lifetime (exp, nbf, iat, with a minute's leeway),
//   - one of its audiences is one the request is for (the apiserver's own, or a TokenReview's),
//   - the ServiceAccount still exists with the same uid, and so does the pod (or secret) it is bound to;
//     an object deleted more than the leeway ago no longer vouches for it.
// A token from another issuer is left to the other authenticators; any other mismatch is a 401, its
// reason logged. Objects are read from the apiserver's own storage, never over HTTP to itself.
import type { UserInfo } from '../../shared/api/authentication';
import type { KubeObject } from '../../shared/api/meta';
import type { Logger } from '../../shared/log';
import {
  acceptedAudiences,
  LEEWAY_SECONDS,
  ObjectRef,
  parseClaims,
  serviceAccountUser,
  ServiceAccountClaims,
  timeError,
} from '../serviceaccount/claims';
import { decodeJWT, IdentifiedKey, verifyJWT } from '../serviceaccount/jwt';
import type { TokenAuthenticator } from './authenticator';

/** Reads the objects a token is bound to: undefined when there is none. */
export interface BoundObjectGetter {
  serviceAccount(namespace: string, name: string): Promise<KubeObject | undefined>;
  pod(namespace: string, name: string): Promise<KubeObject | undefined>;
  secret(namespace: string, name: string): Promise<KubeObject | undefined>;
}

export interface ServiceAccountTokenOptions {
  /** --service-account-issuer: the first issues, every one is accepted. */
  issuers: string[];
  /** --service-account-key-file: the keys tokens may be signed with. */
  keys: IdentifiedKey[];
  /** --api-audiences: whom the apiserver's own requests are for. */
  apiAudiences: string[];
  getter: BoundObjectGetter;
  log: Logger;
  now?: () => number;
}

class InvalidToken extends Error {}

export class ServiceAccountTokenAuthenticator implements TokenAuthenticator {
  private readonly now: () => number;

  constructor(private readonly o: ServiceAccountTokenOptions) {
    this.now = o.now ?? Date.now;
  }

  async authenticateToken(token: string, audiences: string[] = this.o.apiAudiences): Promise<UserInfo | undefined> {
    const iss = decodeJWT(token)?.claims.iss;
    if (typeof iss !== 'string' || !this.o.issuers.includes(iss)) return undefined; // not one of ours
    try {
      return serviceAccountUser(await this.validate(token, audiences));
    } catch (err) {
      if (!(err instanceof InvalidToken)) throw err;
      this.o.log.info({ reason: err.message }, 'refused a service account token');
      return undefined;
    }
  }

  private async validate(token: string, audiences: string[]): Promise<ServiceAccountClaims> {
    const verified = await verifyJWT(token, this.o.keys);
    if (!verified) throw new InvalidToken('invalid signature');
    const claims = parseClaims(verified);
    if (!claims) throw new InvalidToken('malformed service account claims');
    const now = this.now();
    const expired = timeError(claims, now);
    if (expired) throw new InvalidToken(expired);
    if (!acceptedAudiences(claims.aud, audiences, this.o.apiAudiences).length)
      throw new InvalidToken(
        `token audiences ${JSON.stringify(claims.aud)} is invalid for the target audiences ${JSON.stringify(audiences)}`,
      );
    const { namespace, serviceaccount, pod, secret } = claims['kubernetes.io'];
    const deletedBefore = now - LEEWAY_SECONDS * 1000;
    this.stillThere('service account', await this.o.getter.serviceAccount(namespace, serviceaccount.name), serviceaccount, deletedBefore);
    if (pod) this.stillThere('pod', await this.o.getter.pod(namespace, pod.name), pod, deletedBefore);
    if (secret) this.stillThere('secret', await this.o.getter.secret(namespace, secret.name), secret, deletedBefore);
    return claims;
  }

  /** The bound object exists, with the uid of the claim, and was not deleted (beyond the leeway). */
  private stillThere(what: string, obj: KubeObject | undefined, claim: ObjectRef, deletedBefore: number): void {
    if (!obj) throw new InvalidToken(`${what} ${claim.name} not found`);
    const deletion = obj.metadata.deletionTimestamp;
    if (deletion && Date.parse(deletion) < deletedBefore) throw new InvalidToken(`${what} ${claim.name} has been deleted`);
    if (obj.metadata.uid !== claim.uid) throw new InvalidToken(`${what} UID (${obj.metadata.uid}) does not match claim (${claim.uid})`);
  }
}
