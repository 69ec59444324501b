// meta.k8s.io's types, which every group uses: object and list metadata, label selectors, times, options.
// Field names and types are Kubernetes'; see model.ts for the builders.
import { ATOMIC, bool, definitions, int32, int64, list, listMap, map, object, ref, SET, str } from './model';

export const meta = definitions('io.k8s.apimachinery.pkg.apis.meta.v1', {
  Condition: object({
    lastTransitionTime: ref('Time'),
    message: str(),
    observedGeneration: int64(),
    reason: str(),
    status: str(),
    type: str(),
  }),
  DeleteOptions: object({
    apiVersion: str(),
    dryRun: list(str()),
    gracePeriodSeconds: int64(),
    ignoreStoreReadErrorWithClusterBreakingPotential: bool(),
    kind: str(),
    orphanDependents: bool(),
    preconditions: ref('Preconditions'),
    propagationPolicy: str(),
  }),
  FieldSelectorRequirement: object({
    key: str(),
    operator: str(),
    values: list(str()),
  }),
  LabelSelector: object(
    {
      matchExpressions: list(ref('LabelSelectorRequirement'), 'Requirements on label keys and values.'),
      matchLabels: map(str(), 'Labels that must be present with exactly these values.'),
    },
    { description: 'A query over labels. All of its terms must hold; an empty selector matches everything.', ...ATOMIC },
  ),
  LabelSelectorRequirement: object(
    {
      key: str('The label key.'),
      operator: str('In, NotIn, Exists or DoesNotExist.'),
      values: list(str(), 'The values for In and NotIn; empty for Exists and DoesNotExist.'),
    },
    { description: 'One requirement of a label selector.', required: ['key', 'operator'] },
  ),
  ManagedFieldsEntry: object({
    apiVersion: str(),
    fieldsType: str(),
    fieldsV1: ref('FieldsV1'),
    manager: str(),
    operation: str(),
    subresource: str(),
    time: ref('Time'),
  }),
  ObjectMeta: object(
    {
      annotations: map(str(), 'Free-form key/value data for tools and people; not used to select objects.'),
      creationTimestamp: ref('Time', 'When the object was stored. Set by the system; read-only.'),
      deletionGracePeriodSeconds: int64('How many seconds the object was given to end after deletion was asked. Set by the system.'),
      deletionTimestamp: ref(
        'Time',
        'When the object is to be removed; set when deletion was asked while finalizers or a grace period hold it. Read-only.',
      ),
      finalizers: list(str(), 'Names of the parties that must finish their clean-up before the object is removed.', SET),
      generateName: str('A prefix for a name the server makes up (a few random characters are added) when name is empty.'),
      generation: int64("A number the system increases with each change to the object's desired state."),
      labels: map(str(), 'Key/value pairs that selectors match: how Services, ReplicaSets and kubectl -l find objects.'),
      managedFields: list(ref('ManagedFieldsEntry'), 'Which manager set which fields (server-side apply). Kept by the system.'),
      name: str('Unique among the objects of this kind in the namespace. Cannot be changed.'),
      namespace: str('The namespace the object lives in; empty for cluster-wide kinds. Cannot be changed.'),
      ownerReferences: listMap(
        ref('OwnerReference'),
        ['uid'],
        'The objects this one belongs to. When every owner is gone, the garbage collector deletes it.',
      ),
      resourceVersion: str('The version of the object in storage. Sent back on update so that a stale write fails with a conflict.'),
      selfLink: str('Unused; kept for old clients.'),
      uid: str('Unique in time and space: a new object with the same name gets a new one. Set by the system.'),
    },
    { description: 'Metadata every stored object has: its identity, labels and annotations, and fields the system keeps.' },
  ),
  OwnerReference: object(
    {
      apiVersion: str("The owner's API version."),
      blockOwnerDeletion: bool('When true, a foreground deletion of the owner waits for this object to go.'),
      controller: bool('True for the one owner that manages this object.'),
      kind: str("The owner's kind."),
      name: str("The owner's name."),
      uid: str("The owner's UID: an owner recreated under the same name is another owner."),
    },
    { description: 'Names an object that owns this one.', required: ['apiVersion', 'kind', 'name', 'uid'] },
  ),
  Preconditions: object({
    resourceVersion: str(),
    uid: str(),
  }),
});

/** meta.k8s.io types that protobuf does not carry as messages, and the lists and Status every group answers with. */
export const metaExtra = definitions('io.k8s.apimachinery.pkg.apis.meta.v1', {
  Time: { type: 'string', format: 'date-time', description: 'A point in time, written as RFC 3339 with seconds (2024-05-01T12:00:00Z).' },
  MicroTime: { type: 'string', format: 'date-time', description: 'A point in time with microseconds, written as RFC 3339.' },
  FieldsV1: object(
    {},
    {
      description: 'The set of fields a manager owns, as a tree of field names in JSON (see server-side apply).',
      'x-kubernetes-preserve-unknown-fields': true,
    },
  ),
  ListMeta: object(
    {
      continue: str('Set when the list was cut short by a limit: pass it back to get the next page.'),
      remainingItemCount: int64('How many items a paged list has after this page, when the server can tell.'),
      resourceVersion: str('The version of the collection this list was read at: watch from it to follow later changes.'),
      selfLink: str('Unused; kept for old clients.'),
    },
    { description: 'Metadata of a list: where it was read, and how to fetch the next page.' },
  ),
  Status: object(
    {
      apiVersion: str(),
      code: int32('The HTTP status code of the answer.'),
      details: ref('StatusDetails', 'What the failure was about: the object, and the field causes of an Invalid answer.'),
      kind: str(),
      message: str('What happened, for humans.'),
      metadata: ref('ListMeta'),
      reason: str('A machine-readable word for the failure (NotFound, AlreadyExists, Conflict, Invalid, ...).'),
      status: str('"Success" or "Failure".'),
    },
    { description: 'The answer to a request that returns no object: mostly the reason an operation failed.' },
  ),
  StatusDetails: object(
    {
      causes: list(ref('StatusCause'), 'One entry per problem found, with the field it concerns.'),
      group: str('The API group of the object.'),
      kind: str('The kind (or resource) of the object.'),
      name: str('The name of the object.'),
      retryAfterSeconds: int32('When to try again, for answers that invite a retry.'),
      uid: str('The UID of the object, when known.'),
    },
    { description: 'Which object a Status is about, and why it failed.' },
  ),
  StatusCause: object(
    {
      field: str('The path of the field at fault: spec.containers[0].image.'),
      message: str('What is wrong with it, for humans.'),
      reason: str('A machine-readable word for the problem (FieldValueRequired, FieldValueInvalid, ...).'),
    },
    { description: 'One problem with a request.' },
  ),
});

export const resource = definitions('io.k8s.apimachinery.pkg.api.resource', {
  Quantity: {
    description:
      'An amount of a resource, such as 500m (half a CPU), 128Mi (128 mebibytes) or 1.5. Written as a string, or as a plain JSON number.',
    oneOf: [{ type: 'string' }, { type: 'number' }],
  },
});

export const intstr = definitions('io.k8s.apimachinery.pkg.util.intstr', {
  IntOrString: {
    description: 'Either a whole number or a string, such as a port number or a port name, or 25 or "25%".',
    format: 'int-or-string',
    oneOf: [{ type: 'integer' }, { type: 'string' }],
  },
});

export const runtime = definitions('io.k8s.apimachinery.pkg.runtime', {
  RawExtension: object(
    {},
    { description: 'An embedded object of any kind, kept as it was written.', 'x-kubernetes-preserve-unknown-fields': true },
  ),
});
