import { StorageError } from '../storage/errors';
import { interpretStorageError } from './storageerrors';

const status = (err: unknown) => (err as { status: unknown }).status;

describe('interpretStorageError', () => {
  const key = '/registry/apps/deployments/default/web';

  it('names the resource and object the key holds', () => {
    expect(status(interpretStorageError(new StorageError('KeyExists', key), 'deployments.apps', 'web'))).toMatchObject({
      code: 409,
      reason: 'AlreadyExists',
      message: 'deployments.apps "web" already exists',
      details: { name: 'web', group: 'apps', kind: 'deployments' },
    });
    expect(status(interpretStorageError(new StorageError('KeyNotFound', key), 'deployments.apps', 'web'))).toMatchObject({
      code: 404,
      reason: 'NotFound',
      message: 'deployments.apps "web" not found',
    });
  });

  it('words a failed precondition as a Conflict carrying its detail, and a lost race with the usual advice', () => {
    const detail = 'Precondition failed: UID in precondition: a, UID in object meta: b';
    expect(status(interpretStorageError(new StorageError('Conflict', key, { detail }), 'pods', 'web'))).toMatchObject({
      code: 409,
      reason: 'Conflict',
      message: `Operation cannot be fulfilled on pods "web": ${detail}`,
    });
    expect(status(interpretStorageError(new StorageError('Conflict', key), 'pods', 'web'))).toMatchObject({
      message:
        'Operation cannot be fulfilled on pods "web": the object has been modified; please apply your changes to the latest version and try again',
    });
  });

  it('answers a compacted revision with 410 Expired and an outage with 503', () => {
    expect(status(interpretStorageError(new StorageError('Compacted', key, { revision: '42' }), 'pods', ''))).toMatchObject({
      code: 410,
      reason: 'Expired',
      message: 'too old resource version: 42',
    });
    expect(status(interpretStorageError(new StorageError('Unavailable', key, { detail: 'connection refused' }), 'pods', ''))).toMatchObject(
      {
        code: 503,
        reason: 'ServiceUnavailable',
        message: 'etcd is unavailable: connection refused',
      },
    );
  });

  it('leaves errors that are not storage errors as they are', () => {
    const other = new Error('boom');
    expect(interpretStorageError(other, 'pods', 'web')).toBe(other);
  });
});
