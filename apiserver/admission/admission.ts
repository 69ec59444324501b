// Admission (k8s.io/apiserver/pkg/admission). Mutating plugins see a create once it has been decoded
// and defaulted, before it is validated, and may change the object (ServiceAccount gives a pod its
// token volume). Validating plugins, after a write has been validated and before it is stored, see what
// it would change and who asks, and may refuse it with a Status. The registry knows the change (the object about to be stored and the stored one);
// the request handler adds the user. The apiserver's own writes (the bootstrap) pass no admission.
import type { UserInfo } from '../../shared/api/authentication';
import type { KubeObject } from '../../shared/api/meta';
import { groupResource, ResourceInfo } from '../../shared/api/resources';
import { forbidden, StatusError } from '../../shared/errors';

export type Operation = 'CREATE' | 'UPDATE' | 'DELETE';

/** What a write would do, as the registry sees it. */
export interface ObjectChange {
  operation: Operation;
  resource: ResourceInfo;
  /** `status`, `binding`, `finalize`, or '' for the object itself. */
  subresource: string;
  /** '' for cluster-scoped objects. */
  namespace: string;
  name: string;
  /** The object as it would be stored (CREATE, UPDATE). */
  object?: KubeObject;
  /** The stored object (UPDATE, DELETE). */
  oldObject?: KubeObject;
}

/** The change and the request it came with: Kubernetes' admission.Attributes. */
export interface AdmissionAttributes extends ObjectChange {
  user: UserInfo;
  dryRun: boolean;
}

export interface ValidationPlugin {
  /** Throws a Status to refuse the change. */
  validate(attrs: AdmissionAttributes): Promise<void> | void;
}

export interface MutationPlugin {
  /** Changes `attrs.object` in place; throws a Status to refuse the change. */
  admit(attrs: AdmissionAttributes): Promise<void> | void;
}

/** The mutating plugins in order, each seeing what the ones before made. */
export function mutationChain(plugins: MutationPlugin[]): MutationPlugin {
  return {
    async admit(attrs) {
      for (const plugin of plugins) await plugin.admit(attrs);
    },
  };
}

/** The plugins in order; the first refusal wins. */
export function admissionChain(plugins: ValidationPlugin[]): ValidationPlugin {
  return {
    async validate(attrs) {
      for (const plugin of plugins) await plugin.validate(attrs);
    },
  };
}

/**
 * A refusal worded as Kubernetes words it (admission.NewForbidden): `nodes "node-1" is forbidden: <reason>`.
 * On create the name comes from the object, or its generateName before the name is generated.
 */
export function admissionForbidden(attrs: ObjectChange, reason: string): StatusError {
  const name = attrs.name || attrs.object?.metadata.name || attrs.object?.metadata.generateName || 'Unknown';
  return forbidden(`${groupResource(attrs.resource)} "${name}" is forbidden: ${reason}`, {
    name,
    group: attrs.resource.group || undefined,
    kind: attrs.resource.plural,
  });
}
