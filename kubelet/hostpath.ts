// hostPath volumes (pkg/volume/hostpath): a path on the node, checked against its `type` before the
// containers start: DirectoryOrCreate and FileOrCreate make what is missing (0755 directories, an empty
// 0644 file), the other types must already be what they say. An empty type checks nothing. The path is
// one the PodSecurity policy of the namespace (privileged only) or a PersistentVolume an administrator or
// the provisioner wrote allowed.
import fs from 'node:fs/promises';

const kinds: Record<string, { test: (st: import('node:fs').Stats) => boolean; noun: string }> = {
  Directory: { test: (st) => st.isDirectory(), noun: 'a directory' },
  DirectoryOrCreate: { test: (st) => st.isDirectory(), noun: 'a directory' },
  File: { test: (st) => st.isFile(), noun: 'a file' },
  FileOrCreate: { test: (st) => st.isFile(), noun: 'a file' },
  Socket: { test: (st) => st.isSocket(), noun: 'a socket file' },
  CharDevice: { test: (st) => st.isCharacterDevice(), noun: 'a character device' },
  BlockDevice: { test: (st) => st.isBlockDevice(), noun: 'a block device' },
};

const statOf = (p: string) => fs.stat(p).catch(() => undefined);

/** Makes the path ready for its type, or throws Kubernetes' `hostPath type check failed: <path> is not a directory`. */
export async function checkHostPathType(path: string, type: string | undefined): Promise<void> {
  if (!type) return;
  const kind = kinds[type];
  if (!kind) throw new Error(`invalid HostPathType: ${JSON.stringify(type)}`);
  let st = await statOf(path);
  if (!st && type === 'DirectoryOrCreate') {
    await fs.mkdir(path, { recursive: true, mode: 0o755 });
    st = await statOf(path);
  } else if (!st && type === 'FileOrCreate') {
    await (await fs.open(path, 'a', 0o644)).close();
    st = await statOf(path);
  }
  if (!st || !kind.test(st)) throw new Error(`hostPath type check failed: ${path} is not ${kind.noun}`);
}
