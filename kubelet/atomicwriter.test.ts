// AtomicWriter on real directories: the layout containers see, updates, and links it must not follow.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AtomicWriter, FileProjection, Payload } from './atomicwriter';

let base: string;
let vol: string;
let outside: string;

beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'atomicwriter-'));
  vol = path.join(base, 'volume');
  outside = path.join(base, 'outside'); // stands for the host: never written
  fs.mkdirSync(vol);
  fs.mkdirSync(outside);
  fs.writeFileSync(path.join(outside, 'passwd'), 'root:x:0:0');
});
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

const file = (data: string, mode = 0o644): FileProjection => ({ data: Buffer.from(data), mode });
const payload = (files: Record<string, FileProjection>): Payload => new Map(Object.entries(files));
const read = (p: string) => fs.readFileSync(path.join(vol, p), 'utf8');
const modeOf = (p: string) => fs.statSync(path.join(vol, p)).mode & 0o777;
const entries = () => fs.readdirSync(vol).sort();
const outsideUnchanged = () => {
  expect(fs.readdirSync(outside)).toEqual(['passwd']);
  expect(fs.readFileSync(path.join(outside, 'passwd'), 'utf8')).toBe('root:x:0:0');
};

describe('AtomicWriter', () => {
  it('writes each file into a version directory, seen through ..data and one link per top-level name', async () => {
    const writer = new AtomicWriter(vol, () => new Date('2024-05-01T10:00:00.123Z'));
    expect(await writer.write(payload({ 'app.conf': file('a=1'), 'tls/key.pem': file('secret', 0o400) }))).toBe(true);
    const [version] = entries().filter((n) => n.startsWith('..2024_05_01_10_00_00.'));
    expect(entries()).toEqual(['..data', version, 'app.conf', 'tls'].sort());
    expect(fs.readlinkSync(path.join(vol, '..data'))).toBe(version);
    expect(fs.readlinkSync(path.join(vol, 'app.conf'))).toBe('..data/app.conf');
    expect(fs.readlinkSync(path.join(vol, 'tls'))).toBe('..data/tls');
    expect(read('app.conf')).toBe('a=1');
    expect(read('tls/key.pem')).toBe('secret');
    expect(modeOf('tls/key.pem')).toBe(0o400);
    expect(modeOf(version)).toBe(0o755);
  });

  it('honours every mode whatever the umask', async () => {
    const umask = process.umask(0o077);
    try {
      await new AtomicWriter(vol).write(payload({ a: file('x', 0o644), b: file('y', 0o777), c: file('z', 0) }));
    } finally {
      process.umask(umask);
    }
    expect([modeOf('a'), modeOf('b'), modeOf('c')]).toEqual([0o644, 0o777, 0]);
  });

  it('does nothing when the volume already holds the payload', async () => {
    const writer = new AtomicWriter(vol);
    await writer.write(payload({ a: file('1') }));
    const before = fs.readlinkSync(path.join(vol, '..data'));
    expect(await writer.write(payload({ a: file('1') }))).toBe(false);
    expect(fs.readlinkSync(path.join(vol, '..data'))).toBe(before);
    expect(await writer.write(payload({ a: file('1', 0o600) }))).toBe(true); // a mode change is a change
  });

  it('switches to a new version, dropping the old one and the names no longer there', async () => {
    const writer = new AtomicWriter(vol);
    await writer.write(payload({ a: file('1'), b: file('2') }));
    const old = fs.readlinkSync(path.join(vol, '..data'));
    await writer.write(payload({ a: file('10'), c: file('3') }));
    const next = fs.readlinkSync(path.join(vol, '..data'));
    expect(next).not.toBe(old);
    expect(entries()).toEqual(['..data', next, 'a', 'c'].sort());
    expect([read('a'), read('c')]).toEqual(['10', '3']);
  });

  it('replaces links a container planted instead of writing through them', async () => {
    // What a container could do while configMap volumes were mounted read-write.
    fs.symlinkSync(path.join(outside, 'passwd'), path.join(vol, 'a'));
    fs.symlinkSync(outside, path.join(vol, 'dir'));
    fs.symlinkSync('../outside', path.join(vol, '..data'));
    fs.symlinkSync(outside, path.join(vol, '..data_tmp'));
    await new AtomicWriter(vol).write(payload({ a: file('mine'), 'dir/passwd': file('mine too') }));
    expect(read('a')).toBe('mine');
    expect(read('dir/passwd')).toBe('mine too');
    expect(fs.readlinkSync(path.join(vol, 'a'))).toBe('..data/a');
    outsideUnchanged();
  });

  it('does not trust a ..data that points out of the volume when comparing or cleaning up', async () => {
    fs.symlinkSync(path.join(outside), path.join(vol, '..data'));
    fs.symlinkSync('..data/passwd', path.join(vol, 'passwd'));
    // The payload equals what ..data shows, yet the writer must not take it for its own version.
    expect(await new AtomicWriter(vol).write(payload({ passwd: file('root:x:0:0') }))).toBe(true);
    expect(fs.readlinkSync(path.join(vol, '..data')).startsWith('..20')).toBe(true);
    outsideUnchanged();
  });

  it('replaces the plain files an older kubelet wrote, and removes the rest', async () => {
    fs.writeFileSync(path.join(vol, 'a'), 'old');
    fs.mkdirSync(path.join(vol, 'nested'));
    fs.writeFileSync(path.join(vol, 'nested', 'x'), 'old');
    fs.mkdirSync(path.join(vol, '..2020_01_01_00_00_00.crash'));
    await new AtomicWriter(vol).write(payload({ a: file('new') }));
    expect(entries()).toEqual(['..data', fs.readlinkSync(path.join(vol, '..data')), 'a'].sort());
    expect(read('a')).toBe('new');
  });

  it.each(['../x', 'a/../../x', '/etc/passwd', '..data', '..x/y', '', `${'n'.repeat(256)}`])(
    'refuses the path %j before writing anything',
    async (p) => {
      await expect(new AtomicWriter(vol).write(payload({ ok: file('1'), [p]: file('x') }))).rejects.toThrow(/^invalid path/);
      expect(entries()).toEqual([]);
    },
  );
});
