// The review APIs: nothing is stored, the answer comes back in the created object's status.
//   POST /apis/authentication.k8s.io/v1/tokenreviews           who does this token belong to? (kubelets ask)
//   POST /apis/authentication.k8s.io/v1/selfsubjectreviews     who am I? (`kubectl auth whoami`; 1.27 asks v1beta1)
//   POST /apis/authorization.k8s.io/v1/selfsubjectaccessreviews may I ...? (`kubectl auth can-i`)
//   POST /apis/authorization.k8s.io/v1/selfsubjectrulesreviews  what may I do here? (`kubectl auth can-i --list`)
//   POST /apis/authorization.k8s.io/v1/subjectaccessreviews     may this user ...? (kubelets ask)
import express, { Request, Response } from 'express';
import type {
  SelfSubjectAccessReview,
  SelfSubjectReview,
  SelfSubjectRulesReview,
  SubjectAccessReview,
  TokenReview,
  UserInfo,
} from '../../shared/api/authentication';
import { badRequest } from '../../shared/errors';
import type { TokenAuthenticator } from '../auth/authenticator';
import type { Attributes, Authorizer } from '../auth/authorizer';
import type { RuleResolver } from '../auth/rbac';
import { authenticatedUser, userOf } from './auth';
import { decodeBody } from './body';

/** The review in the body, decoded as every request body is (JSON or YAML, size and depth checked). */
function bodyOf<T>(req: Request): T {
  return (decodeBody(req.body as Buffer | undefined, req.headers['content-type']) ?? {}) as T;
}

/** The attributes a SelfSubjectAccessReview asks about, for the calling user. */
export function reviewAttributes(review: SelfSubjectAccessReview | SubjectAccessReview, user: UserInfo): Attributes {
  const r = review.spec?.resourceAttributes;
  const n = review.spec?.nonResourceAttributes;
  if (!r && !n) throw badRequest('exactly one of nonResourceAttributes or resourceAttributes must be specified');
  if (n)
    return {
      isResourceRequest: false,
      verb: n.verb ?? '',
      path: n.path ?? '',
      apiGroup: '',
      apiVersion: '',
      namespace: '',
      resource: '',
      subresource: '',
      name: '',
      user,
    };
  return {
    isResourceRequest: true,
    verb: r!.verb ?? '',
    path: '',
    apiGroup: r!.group ?? '',
    apiVersion: r!.version ?? '',
    namespace: r!.namespace ?? '',
    resource: r!.resource ?? '',
    subresource: r!.subresource ?? '',
    name: r!.name ?? '',
    user,
  };
}

/** A user's rules in a namespace as a SelfSubjectRulesReview's status (ConvertToResourceRules): resource and non-resource rules apart. */
export function rulesReviewStatus(
  rules: RuleResolver | undefined,
  user: UserInfo,
  namespace: string,
): NonNullable<SelfSubjectRulesReview['status']> {
  const status: NonNullable<SelfSubjectRulesReview['status']> = { resourceRules: [], nonResourceRules: [], incomplete: false };
  for (const rule of rules?.rulesFor(user, namespace) ?? []) {
    if (rule.resources?.length) {
      status.resourceRules.push({
        verbs: rule.verbs,
        apiGroups: rule.apiGroups ?? [],
        resources: rule.resources,
        ...(rule.resourceNames?.length ? { resourceNames: rule.resourceNames } : {}),
      });
    }
    if (rule.nonResourceURLs?.length) status.nonResourceRules.push({ verbs: rule.verbs, nonResourceURLs: rule.nonResourceURLs });
  }
  // The Node authorizer's rules are not listed: for a kubelet the answer is incomplete, as Kubernetes says.
  if (user.groups?.includes('system:nodes')) status.incomplete = true;
  return status;
}

export function reviewsRouter(tokens: TokenAuthenticator, authorizer: Authorizer, rules?: RuleResolver): express.Router {
  const router = express.Router();
  router.post('/apis/authentication.k8s.io/v1/tokenreviews', async (req: Request, res: Response) => {
    const review = bodyOf<TokenReview>(req);
    const requested: unknown = review.spec?.audiences;
    if (requested !== undefined && !(Array.isArray(requested) && requested.every((a) => typeof a === 'string')))
      throw badRequest('spec.audiences: must be a list of strings');
    const audiences = requested?.length ? requested : undefined;
    const user = review.spec?.token ? await tokens.authenticateToken(review.spec.token, audiences) : undefined;
    const status = user ? { authenticated: true, user: authenticatedUser(user) } : { authenticated: false, error: 'invalid bearer token' };
    res.status(201).json({
      apiVersion: 'authentication.k8s.io/v1',
      kind: 'TokenReview',
      metadata: { creationTimestamp: null },
      spec: review.spec,
      status,
    });
  });
  for (const version of ['v1', 'v1beta1'])
    router.post(`/apis/authentication.k8s.io/${version}/selfsubjectreviews`, (_req: Request, res: Response) => {
      const review: SelfSubjectReview = {
        apiVersion: `authentication.k8s.io/${version}`,
        kind: 'SelfSubjectReview',
        metadata: { creationTimestamp: null as unknown as undefined },
        status: { userInfo: userOf(res) },
      };
      res.status(201).json(review);
    });
  router.post('/apis/authorization.k8s.io/v1/selfsubjectrulesreviews', (req: Request, res: Response) => {
    const review = bodyOf<SelfSubjectRulesReview>(req);
    const namespace = review.spec?.namespace ?? '';
    res.status(201).json({
      apiVersion: 'authorization.k8s.io/v1',
      kind: 'SelfSubjectRulesReview',
      metadata: { creationTimestamp: null },
      spec: review.spec ?? {},
      status: rulesReviewStatus(rules, userOf(res), namespace),
    });
  });
  const accessReview =
    (kind: string, subject: (review: SubjectAccessReview, res: Response) => UserInfo) => async (req: Request, res: Response) => {
      const review = bodyOf<SubjectAccessReview>(req);
      const decision = await authorizer.authorize(reviewAttributes(review, subject(review, res)));
      const status =
        decision.decision === 'allow' ? { allowed: true } : { allowed: false, ...(decision.reason ? { reason: decision.reason } : {}) };
      res
        .status(201)
        .json({ apiVersion: 'authorization.k8s.io/v1', kind, metadata: { creationTimestamp: null }, spec: review.spec, status });
    };
  router.post(
    '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews',
    accessReview('SelfSubjectAccessReview', (_review, res) => userOf(res)),
  );
  router.post(
    '/apis/authorization.k8s.io/v1/subjectaccessreviews',
    accessReview('SubjectAccessReview', (review) => {
      if (!review.spec?.user && !review.spec?.groups?.length) throw badRequest('at least one of user or group must be specified');
      return { username: review.spec.user ?? '', uid: review.spec.uid, groups: review.spec.groups ?? [] };
    }),
  );
  return router;
}
