import pino from 'pino';
import { SyncRunner } from './syncrunner';

const log = pino({ level: 'silent' });

it('runs one sync at a time, and the requests made while one runs as a single next sync', async () => {
  let runs = 0;
  let release!: () => void;
  const runner = new SyncRunner(async () => {
    runs++;
    if (runs === 1) await new Promise<void>((r) => (release = r));
  }, log);
  runner.request();
  await new Promise((r) => setImmediate(r));
  expect(runs).toBe(1); // the first sync is running
  runner.request();
  runner.request();
  runner.request();
  release();
  await runner.idle();
  expect(runs).toBe(2);
});

it('goes on syncing after a sync fails', async () => {
  let runs = 0;
  const runner = new SyncRunner(async () => {
    runs++;
    if (runs === 1) throw new Error('iptables-restore failed');
  }, log);
  runner.request();
  await runner.idle();
  runner.request();
  await runner.idle();
  expect(runs).toBe(2);
});
