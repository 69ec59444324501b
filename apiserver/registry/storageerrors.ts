// Storage errors as the API shows them (k8s.io/apiserver's storage/errors InterpretCreateError and
// friends): the registry knows which resource and object a key holds, so it words the Status.
import { alreadyExists, conflict, gone, notFound, serviceUnavailable } from '../../shared/errors';
import { StorageError } from '../storage/errors';

/** The Status error for a StorageError about `name` of `resource` (`pods`, `deployments.apps`); other errors as they are. */
export function interpretStorageError(err: unknown, resource: string, name: string): unknown {
  if (!(err instanceof StorageError)) return err;
  switch (err.code) {
    case 'KeyExists':
      return alreadyExists(resource, name);
    case 'KeyNotFound':
      return notFound(resource, name);
    case 'Conflict':
      return conflict(resource, name, err.detail);
    case 'Compacted':
      return gone(`too old resource version: ${err.revision}`);
    case 'Unavailable':
      return serviceUnavailable(`etcd is unavailable: ${err.detail}`);
  }
}
