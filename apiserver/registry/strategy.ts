// What differs between resources, plugged into the generic Store: k8s.io/apiserver's RESTCreateStrategy,
// RESTUpdateStrategy and RESTDeleteStrategy, plus the TableConvertor, in one interface. Each kind has one
// file `registry/<group>/<resource>.ts` exporting its Strategy (upstream's pkg/registry/<group>/<resource>/
// strategy.go and storage.go), which names the kind's defaulting and validation (shared/api/defaults/ and
// shared/api/validation/) and its printer.
import type { DecodeOptions } from '../../shared/api/decode';
import type { DeleteOptions, KubeObject, StatusCause } from '../../shared/api/meta';
import type { ResourceInfo } from '../../shared/api/resources';
import { semanticallyEqual } from '../../shared/equality';
import type { Printer } from '../printers/table';
import type { WriteOptions } from './store';

/** The scale subresource of a kind whose replica counts are not a workload's `spec.replicas` (custom resources). */
export interface ScaleAccessor {
  specReplicas(obj: KubeObject): number;
  statusReplicas(obj: KubeObject): number;
  selector(obj: KubeObject): string;
  setSpecReplicas(obj: KubeObject, replicas: number): void;
}

export interface Strategy<T extends KubeObject = KubeObject> {
  resource: ResourceInfo;
  /**
   * Decodes an incoming object when the kind's schema is not one of shared/api/openapi's (a custom resource's
   * openAPIV3Schema): types, unknown fields (pruned) and what `fieldValidation` says about them.
   */
  decode?(body: unknown, options?: DecodeOptions): T;
  /** Defaults applied to objects read from storage too (a custom resource's schema defaults). */
  defaultsOnRead?(obj: T): void;
  /** How `<plural>/scale` reads and writes replicas, when not as Deployments and ReplicaSets do. */
  scale?: ScaleAccessor;
  /** Finalizers the kind adds when an object is first asked to be deleted (a CRD's customresourcecleanup). */
  finalizersOnDelete?(obj: T): string[];
  /** SetDefaults_<Kind>: fills what the user left out. Runs on every create and update, after decoding. */
  defaults?(obj: T): void;
  /** Validate<Kind> (with `old`: Validate<Kind>Update), metadata included; runs after prepareForCreate/Update. */
  validate(obj: T, old?: T): StatusCause[];
  /** `kubectl get`'s columns after NAME (upstream's printers, served as Tables). */
  printer: Printer<T>;
  /**
   * Set for kinds that keep `metadata.generation` (those whose controllers report `observedGeneration`):
   * it starts at 1 and grows by one on each update for which this returns true. Kinds without it have no
   * generation, as ConfigMaps, Pods (before 1.33) and Services have none.
   */
  generationChanged?(obj: T, old: T): boolean;
  /** Clears or initialises fields on create (status, for most kinds). Runs after defaulting. */
  prepareForCreate?(obj: T): void;
  prepareForUpdate?(obj: T, old: T): void;
  /** Admission that needs I/O: namespace checks, IP and port allocation. */
  beforeCreate?(obj: T, opts: WriteOptions): Promise<void>;
  afterCreateFailed?(obj: T): Promise<void>;
  beforeUpdate?(obj: T, old: T, opts: WriteOptions): Promise<void>;
  /** Refuses a delete (throws a Status): namespaces every cluster needs. */
  admitDelete?(obj: T): void;
  /** Seconds the object stays after a delete request (pods on a node); 0 deletes at once. */
  gracePeriodSeconds?(obj: T, options: DeleteOptions): number;
  /** Changes made to an object when it is marked for deletion (namespaces become Terminating). */
  prepareForDelete?(obj: T): void;
  /** True while something other than finalizers keeps a deleted object (a namespace's spec.finalizers). */
  holdsDeletion?(obj: T): boolean;
  /** Releases what the object held (cluster IPs, node ports). */
  afterDelete?(obj: T): Promise<void>;
  defaultPropagation?: 'Orphan' | 'Background' | 'Foreground';
  /** Objects expire this long after their last write (upstream's TTLFunc; events, --event-ttl). */
  ttlSeconds?: number;
}

/** The usual generation rule: any change of `spec` bumps it. */
export const specChanged = (obj: KubeObject, old: KubeObject): boolean =>
  !semanticallyEqual((obj as { spec?: unknown }).spec, (old as { spec?: unknown }).spec);

/** What most kinds with a status do on create: start with an empty status, which only controllers fill. */
export function clearStatus(obj: KubeObject): void {
  (obj as { status?: unknown }).status = {};
}
