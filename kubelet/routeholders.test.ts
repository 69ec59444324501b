import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { RouteHolders } from './routeholders';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'routeholders-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

/** A holder in another process that is then killed (SIGKILL: no release), leaving its socket file. */
async function killedHolder(holders: string, name: string): Promise<void> {
  fs.mkdirSync(holders, { recursive: true });
  const child = spawn(process.execPath, [
    '-e',
    `const net = require('net'); net.createServer().listen(${JSON.stringify(path.join(holders, `${name}.sock`))}, () => console.log('listening'));`,
  ]);
  await new Promise((resolve) => child.stdout.once('data', resolve));
  child.kill('SIGKILL');
  await new Promise((resolve) => child.once('exit', resolve));
}

it('counts the holders that are alive, and the last one to release is told to remove the resource', async () => {
  const a = new RouteHolders(path.join(dir, 'cidr'));
  const b = new RouteHolders(path.join(dir, 'cidr'));
  await a.hold('node-1');
  await b.hold('node-2');
  expect(await a.liveHolders()).toEqual(['node-1', 'node-2']);
  expect(await a.release()).toBe(false);
  expect(await b.release()).toBe(true);
  expect(fs.existsSync(path.join(dir, 'cidr'))).toBe(false);
});

it('does not count a holder that was killed, though its socket file is still there', async () => {
  const holders = path.join(dir, 'cidr');
  const a = new RouteHolders(holders);
  await a.hold('node-1');
  await killedHolder(holders, 'node-3');
  expect(fs.readdirSync(holders).sort()).toEqual(['node-1.sock', 'node-3.sock']);
  expect(await a.release()).toBe(true);
});

it('lets a holder restarted after a crash hold again under its name', async () => {
  const holders = path.join(dir, 'cidr');
  await killedHolder(holders, 'node-1');
  const again = new RouteHolders(holders);
  await again.hold('node-1');
  expect(await again.liveHolders()).toEqual(['node-1']);
  expect(await again.release()).toBe(true);
});

it('keeps one directory per network namespace', () => {
  const here = RouteHolders.forResource(dir, '10.244.0.0/16');
  expect(here).toEqual(RouteHolders.forResource(dir, '10.244.0.0/16'));
  expect(JSON.stringify(here)).toContain(`10.244.0.0_16@netns-${fs.statSync('/proc/self/ns/net').ino}`);
});
