// Resolving a path inside a volume without ever leaving it (Kubernetes' pkg/volume/util/subpath).
//
// A volume's content belongs to the pod: between two syncs a container can replace any directory of an
// emptyDir by a symlink to /etc, and the kubelet, which runs as root, would follow it. So the path is
// walked one name at a time, each name opened inside the directory opened before it with O_NOFOLLOW
// (through /proc/self/fd/<fd>/<name>, which is what openat(2) does and Node lacks): the kernel never
// follows a link here. The walk reads each link itself and follows it only while the result stays
// below the volume's root; `..` pops the directories it opened, and popping the root is an escape.
// Swapping a directory for a link while the walk runs changes nothing: a name is looked up once, in a
// directory that is already open.
import { constants } from 'node:fs';
import fs, { type FileHandle } from 'node:fs/promises';

/** Linux's O_PATH (not in Node's constants): a handle on a name, opening nothing (a FIFO does not block). */
const O_PATH = 0o10000000;
/** Linux's own limit of links in one lookup (MAXSYMLINKS). */
const MAX_SYMLINKS = 40;

/** The path leaves the volume (`..` above the root, or a link pointing outside). */
export class VolumeEscapeError extends Error {
  override name = 'VolumeEscapeError';
}

export interface ResolveOptions {
  /** Create missing directories with this mode, as Kubernetes' SafeMakeDir does (default: a missing name is an error). */
  mkdirMode?: number;
}

const errno = (err: unknown) => (err as NodeJS.ErrnoException).code;
const names = (p: string) => p.split('/').filter((n) => n && n !== '.');

type Step = { handle: FileHandle } | { link: string };

/** Opens `name` in the directory `dir` without following it if it is a link. */
async function lookUp(dir: FileHandle, name: string, last: boolean, mkdirMode: number | undefined): Promise<Step> {
  const at = `/proc/self/fd/${dir.fd}/${name}`;
  let created = false;
  for (;;) {
    try {
      const handle = await fs.open(at, constants.O_RDONLY | constants.O_DIRECTORY | constants.O_NOFOLLOW);
      if (created) await handle.chmod(mkdirMode!); // mkdir's mode is cut by the umask
      return { handle };
    } catch (err) {
      if (errno(err) === 'ENOENT' && mkdirMode !== undefined) {
        await fs.mkdir(at, { mode: mkdirMode }).catch((e: unknown) => (errno(e) === 'EEXIST' ? undefined : Promise.reject(e)));
        created = true;
        continue;
      }
      if (errno(err) !== 'ENOTDIR') throw err;
    }
    // Not a directory: a link (O_DIRECTORY|O_NOFOLLOW refuses those with ENOTDIR too), or a file.
    const handle = await fs.open(at, O_PATH | constants.O_NOFOLLOW);
    if (!(await handle.stat()).isSymbolicLink()) {
      if (last) return { handle };
      await handle.close();
      throw Object.assign(new Error(`${name} is not a directory`), { code: 'ENOTDIR' });
    }
    await handle.close();
    try {
      return { link: await fs.readlink(at) }; // only read, as text: the walk interprets it
    } catch (err) {
      if (errno(err) !== 'EINVAL' && errno(err) !== 'ENOENT') throw err; // swapped meanwhile: look again
    }
  }
}

/**
 * The real path of `subPath` inside the directory `root`: links are followed while they stay inside,
 * and the result is checked against what the kernel says the opened object is. Throws VolumeEscapeError
 * when the path leads out of `root`.
 */
export async function resolveInVolume(root: string, subPath: string, opts: ResolveOptions = {}): Promise<string> {
  if (subPath.startsWith('/')) throw new VolumeEscapeError(`${subPath} is not a relative path`);
  const rootPath = await fs.realpath(root); // the kubelet's own directories up to here
  const opened: FileHandle[] = [await fs.open(rootPath, constants.O_RDONLY | constants.O_DIRECTORY)];
  const walked: string[] = [];
  const pending = names(subPath);
  let links = 0;
  try {
    while (pending.length) {
      const name = pending.shift()!;
      if (name === '..') {
        if (opened.length === 1) throw new VolumeEscapeError(`${subPath} leads out of the volume`);
        await opened.pop()!.close();
        walked.pop();
        continue;
      }
      const step = await lookUp(opened.at(-1)!, name, pending.length === 0, opts.mkdirMode);
      if ('handle' in step) {
        opened.push(step.handle);
        walked.push(name);
        continue;
      }
      if (++links > MAX_SYMLINKS) throw Object.assign(new Error(`${subPath}: too many levels of symbolic links`), { code: 'ELOOP' });
      if (step.link.startsWith('/')) {
        // An absolute link is a host path: followed only when it names something below the root.
        const prefix = rootPath === '/' ? '/' : `${rootPath}/`;
        if (step.link !== rootPath && !step.link.startsWith(prefix))
          throw new VolumeEscapeError(`${subPath}: ${walked.concat(name).join('/')} links to ${step.link}, out of the volume`);
        while (opened.length > 1) await opened.pop()!.close();
        walked.length = 0;
        pending.unshift(...names(step.link.slice(rootPath.length)));
      } else {
        pending.unshift(...names(step.link)); // relative to the directory holding the link: the one open now
      }
    }
    const resolved = walked.length ? `${rootPath === '/' ? '' : rootPath}/${walked.join('/')}` : rootPath;
    const actual = await fs.readlink(`/proc/self/fd/${opened.at(-1)!.fd}`);
    if (actual !== resolved) throw new Error(`${subPath} resolved to ${resolved}, but the kernel opened ${actual}`);
    return resolved;
  } finally {
    await Promise.all(opened.map((h) => h.close()));
  }
}
