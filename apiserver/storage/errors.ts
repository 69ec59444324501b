// The storage layer's own errors, as k8s.io/apiserver's storage.StorageError: what happened to a key, in
// storage words. Storage knows keys and revisions, not resources: the registry turns these into
// Kubernetes Status errors (registry/storageerrors.ts), naming the resource and object the key holds.

export type StorageErrorCode =
  /** A create found the key taken. */
  | 'KeyExists'
  /** The key holds nothing. */
  | 'KeyNotFound'
  /** A precondition (uid, resourceVersion) did not hold for the stored object. */
  | 'Conflict'
  /** The revision asked for has been compacted away. */
  | 'Compacted'
  /** The store cannot be reached. */
  | 'Unavailable';

const DESCRIPTIONS: Record<StorageErrorCode, string> = {
  KeyExists: 'key exists',
  KeyNotFound: 'key not found',
  Conflict: 'conflict',
  Compacted: 'revision compacted',
  Unavailable: 'store unavailable',
};

export interface StorageErrorDetails {
  /** Why, in words a client may see (a failed precondition). */
  detail?: string;
  /** The revision asked for (Compacted). */
  revision?: string;
  /** The error of the store's client that this one stands for. */
  cause?: unknown;
}

export class StorageError extends Error {
  readonly detail?: string;
  readonly revision?: string;

  constructor(
    readonly code: StorageErrorCode,
    readonly key: string,
    details: StorageErrorDetails = {},
  ) {
    super(`StorageError: ${DESCRIPTIONS[code]}, Key: ${key}${details.detail ? `, ${details.detail}` : ''}`, { cause: details.cause });
    this.name = 'StorageError';
    this.detail = details.detail;
    this.revision = details.revision;
  }
}

const hasCode = (err: unknown, code: StorageErrorCode): boolean => err instanceof StorageError && err.code === code;

export const isKeyExists = (err: unknown): boolean => hasCode(err, 'KeyExists');
export const isKeyNotFound = (err: unknown): boolean => hasCode(err, 'KeyNotFound');
export const isStorageConflict = (err: unknown): boolean => hasCode(err, 'Conflict');
export const isCompacted = (err: unknown): boolean => hasCode(err, 'Compacted');
export const isUnavailable = (err: unknown): boolean => hasCode(err, 'Unavailable');
