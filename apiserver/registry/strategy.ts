// What differs between resources, plugged into the generic Store (k8s.io/apiserver's RESTCreateStrategy,
// RESTUpdateStrategy and RESTDeleteStrategy in one interface). Every hook is optional.
import type { DeleteOptions, KubeObject, StatusCause } from '../../shared/api/meta';
import type { ResourceInfo } from '../../shared/api/resources';
import type { WriteOptions } from './store';

export interface Strategy {
  resource: ResourceInfo;
  /** Clears or initialises fields on create (status, for most kinds). Runs after defaulting. */
  prepareForCreate?(obj: KubeObject): void;
  prepareForUpdate?(obj: KubeObject, old: KubeObject): void;
  /** Resource-specific validation beyond shared/api/validation. */
  validate?(obj: KubeObject, old?: KubeObject): StatusCause[];
  /** Admission that needs I/O: namespace checks, IP and port allocation. */
  beforeCreate?(obj: KubeObject, opts: WriteOptions): Promise<void>;
  afterCreateFailed?(obj: KubeObject): Promise<void>;
  beforeUpdate?(obj: KubeObject, old: KubeObject, opts: WriteOptions): Promise<void>;
  /** Refuses a delete (throws a Status): namespaces every cluster needs. */
  admitDelete?(obj: KubeObject): void;
  /** Seconds the object stays after a delete request (pods on a node); 0 deletes at once. */
  gracePeriodSeconds?(obj: KubeObject, options: DeleteOptions): number;
  /** Changes made to an object when it is marked for deletion (namespaces become Terminating). */
  prepareForDelete?(obj: KubeObject): void;
  /** True while something other than finalizers keeps a deleted object (a namespace's spec.finalizers). */
  holdsDeletion?(obj: KubeObject): boolean;
  /** Releases what the object held (cluster IPs, node ports). */
  afterDelete?(obj: KubeObject): Promise<void>;
  defaultPropagation?: 'Orphan' | 'Background' | 'Foreground';
  /** Objects expire this long after their last write (upstream's TTLFunc; events, --event-ttl). */
  ttlSeconds?: number;
}
