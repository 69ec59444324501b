// CustomResourceDefinitions (apiextensions.k8s.io/v1): cluster-scoped, named `<plural>.<group>`, printed as
// NAME CREATED AT. status.storedVersions starts with the storage version and gains each new one; conditions
// and accepted names are the CRD controllers' (apiserver/apiextensions/). A delete first marks the CRD
// Terminating behind the customresourcecleanup finalizer, which the finalizer controller removes once the
// resource's objects are gone, as apiextensions-apiserver's REST storage does.
import type { CustomResourceDefinition } from '../../../shared/api/apiextensions';
import { CUSTOM_RESOURCE_CLEANUP_FINALIZER } from '../../../shared/api/apiextensions';
import { defaultCustomResourceDefinition } from '../../../shared/api/defaults/apiextensions';
import { rfc3339 } from '../../../shared/api/meta';
import { CustomResourceDefinitions } from '../../../shared/api/resources';
import { validateCustomResourceDefinition } from '../../../shared/api/validation/apiextensions';
import { setCondition } from '../../apiextensions/naming';
import type { TableColumnDefinition } from '../../printers/table';
import { specChanged, Strategy } from '../strategy';

const CREATED_AT: TableColumnDefinition = {
  name: 'Created At',
  type: 'date',
  description: 'CreationTimestamp is a timestamp representing the server time when this object was created.',
  priority: 0,
};

const storageVersion = (crd: CustomResourceDefinition) => crd.spec.versions?.find((v) => v.storage)?.name;

export const customResourceDefinitionStrategy: Strategy<CustomResourceDefinition> = {
  resource: CustomResourceDefinitions,
  defaults: defaultCustomResourceDefinition,
  validate: validateCustomResourceDefinition,
  printer: {
    columns: [CREATED_AT],
    cells: (crd) => [crd.metadata.creationTimestamp ?? ''],
  },
  generationChanged: specChanged,
  prepareForCreate(crd) {
    const stored = storageVersion(crd);
    crd.status = { storedVersions: stored ? [stored] : [] };
  },
  prepareForUpdate(crd) {
    const stored = storageVersion(crd);
    const status = (crd.status ??= {});
    const versions = (status.storedVersions ??= []);
    if (stored && !versions.includes(stored)) versions.push(stored);
  },
  finalizersOnDelete: () => [CUSTOM_RESOURCE_CLEANUP_FINALIZER],
  prepareForDelete(crd) {
    setCondition(
      crd,
      {
        type: 'Terminating',
        status: 'True',
        reason: 'InstanceDeletionPending',
        message: 'CustomResourceDefinition marked for deletion; CustomResource deletion will begin soon',
      },
      rfc3339(),
    );
  },
};
