// Kubernetes' AtomicWriter (pkg/volume/util/atomic_writer.go): how the files of configMap, secret,
// downwardAPI and projected volumes are written, so that a container never sees half an update and the
// kubelet never writes through a link.
//
//   <volume>/..2024_05_01_10_00_00.Ab12Cd/   this version's files, in a directory made fresh for it
//   <volume>/..data -> ..2024_05_01_...       switched to a new version by rename(2), which is atomic
//   <volume>/<name> -> ..data/<name>          what containers see, one link per top-level name
//
// Names starting with `..` belong to the writer (validation refuses them as item paths). A write never
// opens an existing file: content goes into the fresh directory, links are replaced rather than
// followed, and whatever else the volume directory holds (an older kubelet's plain files, a version
// left by a crash) is removed, so it ends up holding exactly the payload.
import { constants } from 'node:fs';
import fs from 'node:fs/promises';
import path from 'node:path';

export interface FileProjection {
  data: Buffer;
  mode: number;
}

/** File contents by path relative to the volume (`key`, `dir/key`). */
export type Payload = Map<string, FileProjection>;

const DATA_DIR = '..data';
const NEW_DATA_DIR = '..data_tmp';
const MAX_FILE_NAME = 255;
const MAX_PATH = 4096;

/** The path of a projected file, checked as the kubelet checks it whatever the apiserver let through. */
export function projectionPathError(p: string): string | undefined {
  if (!p) return 'must not be empty';
  if (p.startsWith('/')) return 'must be relative path';
  if (p.length > MAX_PATH) return `must be less than or equal to ${MAX_PATH} characters`;
  const parts = p.split('/');
  if (parts.includes('..')) return "must not contain '..'";
  if (parts.some((n) => n.length > MAX_FILE_NAME)) return `filenames must be less than or equal to ${MAX_FILE_NAME} characters`;
  if (parts[0].startsWith('..')) return "must not start with '..'";
  if (path.posix.normalize(p) === '.') return 'must name a file';
  return undefined;
}

function cleaned(payload: Payload): Payload {
  const clean: Payload = new Map();
  for (const [p, file] of payload) {
    const why = projectionPathError(p);
    if (why) throw new Error(`invalid path ${JSON.stringify(p)}: ${why}`);
    clean.set(path.posix.normalize(p).replace(/\/$/, ''), file);
  }
  return clean;
}

const topLevel = (payload: Payload) => new Set([...payload.keys()].map((p) => p.split('/')[0]));
const NOFOLLOW_READ = constants.O_RDONLY | constants.O_NOFOLLOW;
const EXCLUSIVE_WRITE = constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW;

/** The regular files under `dir` (links and anything else make it a different version), or undefined. */
async function filesIn(dir: string, prefix = ''): Promise<Payload | undefined> {
  const files: Payload = new Map();
  for (const entry of await fs.readdir(path.join(dir, prefix), { withFileTypes: true })) {
    const rel = prefix ? `${prefix}/${entry.name}` : entry.name;
    if (entry.isDirectory()) {
      const nested = await filesIn(dir, rel);
      if (!nested) return undefined;
      for (const [p, f] of nested) files.set(p, f);
    } else if (entry.isFile()) {
      const file = path.join(dir, rel);
      files.set(rel, { data: await fs.readFile(file, { flag: NOFOLLOW_READ }), mode: (await fs.lstat(file)).mode & 0o7777 });
    } else {
      return undefined;
    }
  }
  return files;
}

function samePayload(a: Payload, b: Payload): boolean {
  if (a.size !== b.size) return false;
  for (const [p, f] of a) {
    const g = b.get(p);
    if (!g || g.mode !== f.mode || !g.data.equals(f.data)) return false;
  }
  return true;
}

/** `..2024_05_01_10_00_00.`: the prefix of a version directory, as Kubernetes names them. */
const versionPrefix = (now: Date) => `..${now.toISOString().slice(0, 19).replace(/[-T:]/g, '_')}.`;

export class AtomicWriter {
  constructor(
    private readonly targetDir: string,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Projects `payload` into the target directory (which must exist); false when it already held exactly that. */
  async write(payload: Payload): Promise<boolean> {
    const files = cleaned(payload);
    const visible = topLevel(files);
    const current = await this.currentVersion();
    if (current) {
      const old = await filesIn(path.join(this.targetDir, current));
      if (old && samePayload(old, files) && (await this.linksInPlace(visible))) return false;
    }
    const version = await fs.mkdtemp(path.join(this.targetDir, versionPrefix(this.now())));
    await fs.chmod(version, 0o755); // others must be able to walk in; mkdtemp makes it 0700
    for (const [p, file] of files) {
      const target = path.join(version, p);
      await fs.mkdir(path.dirname(target), { recursive: true, mode: 0o755 });
      await fs.writeFile(target, file.data, { flag: EXCLUSIVE_WRITE, mode: file.mode });
      await fs.chmod(target, file.mode); // the umask cut the mode of open(2)
    }
    for (const name of visible) await this.replaceWithLink(name, `${DATA_DIR}/${name}`);
    await this.replaceWithLink(NEW_DATA_DIR, path.basename(version));
    await fs.rename(path.join(this.targetDir, NEW_DATA_DIR), path.join(this.targetDir, DATA_DIR));
    const keep = new Set([...visible, DATA_DIR, path.basename(version)]);
    for (const name of await fs.readdir(this.targetDir))
      if (!keep.has(name)) await fs.rm(path.join(this.targetDir, name), { recursive: true, force: true }); // rm never follows links
    return true;
  }

  /** The version `..data` points at, if it is one of ours (a plain `..` name in the target directory). */
  private async currentVersion(): Promise<string | undefined> {
    const link = await fs.readlink(path.join(this.targetDir, DATA_DIR)).catch(() => undefined);
    if (!link || !link.startsWith('..') || link.includes('/') || link === '..' || link === DATA_DIR) return undefined;
    const stat = await fs.lstat(path.join(this.targetDir, link)).catch(() => undefined);
    return stat?.isDirectory() ? link : undefined;
  }

  private async linksInPlace(names: Set<string>): Promise<boolean> {
    for (const name of names) {
      const link = await fs.readlink(path.join(this.targetDir, name)).catch(() => undefined);
      if (link !== `${DATA_DIR}/${name}`) return false;
    }
    return true;
  }

  /** `name` in the target directory becomes a link to `target`, whatever it was before. */
  private async replaceWithLink(name: string, target: string): Promise<void> {
    const at = path.join(this.targetDir, name);
    if ((await fs.readlink(at).catch(() => undefined)) === target) return;
    await fs.rm(at, { recursive: true, force: true });
    await fs.symlink(target, at);
  }
}
