// resolveInVolume on real directories, with the links a container could plant in its volume.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { resolveInVolume, VolumeEscapeError } from './subpath';

let base: string;
let vol: string;
let outside: string;

beforeEach(() => {
  base = fs.realpathSync(fs.mkdtempSync(path.join(os.tmpdir(), 'subpath-')));
  vol = path.join(base, 'volume');
  outside = path.join(base, 'outside'); // stands for /etc: nothing may be created or resolved there
  fs.mkdirSync(path.join(vol, 'sub', 'deep'), { recursive: true });
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'passwd'), 'root:x:0:0');
  fs.writeFileSync(path.join(vol, 'sub', 'file'), 'data');
});
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

const outsideEntries = () => fs.readdirSync(outside).sort();
const escapes = (subPath: string, opts?: { mkdirMode?: number }) =>
  expect(resolveInVolume(vol, subPath, opts)).rejects.toThrow(VolumeEscapeError);

describe('resolveInVolume', () => {
  it('resolves plain directories and files to their real path', async () => {
    expect(await resolveInVolume(vol, 'sub/deep')).toBe(path.join(vol, 'sub/deep'));
    expect(await resolveInVolume(vol, './sub//file')).toBe(path.join(vol, 'sub/file'));
    expect(await resolveInVolume(vol, '')).toBe(vol);
    expect(await resolveInVolume(vol, 'sub/deep/../file')).toBe(path.join(vol, 'sub/file')); // `..` that stays inside
  });

  it("follows the root itself when it is a link (the kubelet's own path)", async () => {
    fs.symlinkSync(vol, path.join(base, 'alias'));
    expect(await resolveInVolume(path.join(base, 'alias'), 'sub')).toBe(path.join(vol, 'sub'));
  });

  it('refuses `..` above the root and absolute paths', async () => {
    await escapes('..');
    await escapes('../outside/passwd');
    await escapes('sub/../../outside');
    await escapes('/etc');
    await escapes(outside);
  });

  it('follows links that stay inside: relative, chained, and absolute below the root', async () => {
    fs.symlinkSync('sub', path.join(vol, 'l1'));
    fs.symlinkSync('l1/deep', path.join(vol, 'l2'));
    fs.symlinkSync('../file', path.join(vol, 'sub/deep/up'));
    fs.symlinkSync(path.join(vol, 'sub'), path.join(vol, 'abs'));
    expect(await resolveInVolume(vol, 'l1/file')).toBe(path.join(vol, 'sub/file'));
    expect(await resolveInVolume(vol, 'l2')).toBe(path.join(vol, 'sub/deep'));
    expect(await resolveInVolume(vol, 'l2/up')).toBe(path.join(vol, 'sub/file'));
    expect(await resolveInVolume(vol, 'abs/deep')).toBe(path.join(vol, 'sub/deep'));
  });

  it('refuses a link planted to a host directory, a host file, or out through `..`', async () => {
    fs.symlinkSync(outside, path.join(vol, 'etc'));
    fs.symlinkSync(path.join(outside, 'passwd'), path.join(vol, 'sub/passwd'));
    fs.symlinkSync('../../outside', path.join(vol, 'sub/up'));
    fs.symlinkSync('/', path.join(vol, 'root'));
    await escapes('etc');
    await escapes('etc/passwd');
    await escapes('sub/passwd');
    await escapes('sub/up');
    await escapes('root/etc');
  });

  it('refuses a chain of links that ends outside, and a loop of links', async () => {
    fs.symlinkSync('b', path.join(vol, 'a'));
    fs.symlinkSync('sub/c', path.join(vol, 'b'));
    fs.symlinkSync('../../outside', path.join(vol, 'sub/c'));
    await escapes('a');
    fs.symlinkSync('loop2', path.join(vol, 'loop1'));
    fs.symlinkSync('loop1', path.join(vol, 'loop2'));
    await expect(resolveInVolume(vol, 'loop1')).rejects.toMatchObject({ code: 'ELOOP' });
  });

  it('creates missing directories with the mode asked for, and only inside', async () => {
    const dir = await resolveInVolume(vol, 'new/nested', { mkdirMode: 0o777 });
    expect(dir).toBe(path.join(vol, 'new/nested'));
    expect(fs.statSync(dir).mode & 0o777).toBe(0o777); // not cut by the umask
    await expect(resolveInVolume(vol, 'missing')).rejects.toMatchObject({ code: 'ENOENT' });
    fs.symlinkSync(path.join(outside, 'created-by-kubelet'), path.join(vol, 'dangling'));
    fs.symlinkSync(outside, path.join(vol, 'etc'));
    await escapes('dangling', { mkdirMode: 0o777 });
    await escapes('etc/new', { mkdirMode: 0o777 });
    expect(outsideEntries()).toEqual(['passwd']);
  });

  it('refuses to walk through a file', async () => {
    await expect(resolveInVolume(vol, 'sub/file/x')).rejects.toMatchObject({ code: 'ENOTDIR' });
  });

  it('never lands outside while a container flips a link between a directory of the volume and the host', async () => {
    // The container's side of the race, as fast as a shell can go: `a` points into the volume, then at
    // the host, atomically (rename over the old link). Whatever moment each resolution hits, it gets
    // the directory inside or an error, and nothing is created outside.
    fs.mkdirSync(path.join(vol, 'a.d', 'b'), { recursive: true });
    fs.symlinkSync('a.d', path.join(vol, 'a'));
    const flips = 2000;
    const flipper = spawn(
      process.execPath,
      [
        '-e',
        `const fs = require('fs'); process.chdir(${JSON.stringify(vol)});
         for (let i = 0; i < ${flips}; i++) for (const to of [${JSON.stringify(outside)}, 'a.d']) { fs.symlinkSync(to, 't'); fs.renameSync('t', 'a'); }
         console.log(${flips});`,
      ],
      { stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let output = '';
    flipper.stdout.on('data', (d: Buffer) => (output += d.toString()));
    let running = true;
    const exited = new Promise<void>((resolve) => flipper.on('exit', () => resolve()));
    void exited.then(() => (running = false));
    const results = new Set<string>();
    while (running) results.add(await resolveInVolume(vol, 'a/b/c', { mkdirMode: 0o755 }).catch((err: Error) => err.name));
    await exited;
    expect(output.trim()).toBe(String(flips));
    for (const r of results) expect([path.join(vol, 'a.d/b/c'), 'VolumeEscapeError']).toContain(r);
    expect(outsideEntries()).toEqual(['passwd']);
  });
});
