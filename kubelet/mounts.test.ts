// makeMounts on real volume directories: subPath resolution, read-only plugins, and the errors a pod sees.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Container, Pod } from '../shared/api/core';
import pino from 'pino';
import { makeMounts, withSubPathWritersPaused } from './mounts';
import type { RuntimeContainer } from './runtime/interface';
import { setUpVolumes } from './volumes';

let base: string;
let outside: string;
beforeEach(() => {
  base = fs.mkdtempSync(path.join(os.tmpdir(), 'mounts-'));
  outside = path.join(base, 'outside');
  fs.mkdirSync(outside);
});
afterEach(() => fs.rmSync(base, { recursive: true, force: true }));

const logged: string[] = [];
const log = pino({ level: 'warn' }, { write: (line: string) => logged.push(line) });

async function volumes() {
  return setUpVolumes(
    path.join(base, 'kubelet'),
    {
      metadata: { name: 'p', namespace: 'default', uid: 'u' },
      spec: {
        containers: [],
        volumes: [
          { name: 'data', emptyDir: {} },
          { name: 'cfg', configMap: { name: 'app' } },
        ],
      },
    },
    { configMap: async () => ({ metadata: { name: 'app' }, data: { 'app.conf': 'a=1' } }), secret: async () => undefined },
  );
}
const container = (volumeMounts: Container['volumeMounts']): Container => ({ name: 'app', image: 'busybox', volumeMounts });
const failure = (p: Promise<unknown>) =>
  p.then(
    () => undefined,
    (err: Error & { reason?: string }) => `${err.reason}: ${err.message}`,
  );

describe('makeMounts', () => {
  it('binds whole volumes, read-only where the plugin says so whatever the mount asks', async () => {
    const v = await volumes();
    const mounts = await makeMounts(
      container([
        { name: 'data', mountPath: '/data' },
        { name: 'data', mountPath: '/ro', readOnly: true },
        { name: 'cfg', mountPath: '/etc/app', readOnly: false },
      ]),
      v,
      new Map(),
      log,
    );
    expect(mounts).toEqual([
      { hostPath: v.get('data')!.path, containerPath: '/data', readOnly: false },
      { hostPath: v.get('data')!.path, containerPath: '/ro', readOnly: true },
      { hostPath: v.get('cfg')!.path, containerPath: '/etc/app', readOnly: true },
    ]);
  });

  it("resolves a subPath, creating it with the volume's mode, and a configMap key through its links", async () => {
    const v = await volumes();
    const [logs, conf] = await makeMounts(
      container([
        { name: 'data', mountPath: '/logs', subPath: 'app/logs' },
        { name: 'cfg', mountPath: '/etc/app.conf', subPath: 'app.conf' },
      ]),
      v,
      new Map(),
      log,
    );
    expect(logs.hostPath).toBe(path.join(fs.realpathSync(v.get('data')!.path), 'app/logs'));
    expect(fs.statSync(logs.hostPath).mode & 0o777).toBe(0o777);
    const version = fs.readlinkSync(path.join(v.get('cfg')!.path, '..data'));
    expect(conf.hostPath).toBe(path.join(fs.realpathSync(v.get('cfg')!.path), version, 'app.conf'));
  });

  it('expands subPathExpr from the environment, and refuses a variable missing or empty', async () => {
    const v = await volumes();
    const env = new Map([
      ['POD_NAME', 'web-1'],
      ['EMPTY', ''],
    ]);
    const [m] = await makeMounts(container([{ name: 'data', mountPath: '/d', subPathExpr: '$(POD_NAME)/$$x' }]), v, env, log);
    expect(m.hostPath.endsWith('/web-1/$x')).toBe(true);
    expect(await failure(makeMounts(container([{ name: 'data', mountPath: '/d', subPathExpr: '$(NOPE)/$(EMPTY)' }]), v, env, log))).toBe(
      'CreateContainerConfigError: missing value for EMPTY, NOPE',
    );
  });

  it('refuses a subPath the apiserver would refuse, if an old object or an expansion holds one', async () => {
    const v = await volumes();
    const env = new Map([['DIR', '../../..']]);
    expect(await failure(makeMounts(container([{ name: 'data', mountPath: '/d', subPath: '/etc' }]), v, env, log))).toBe(
      'CreateContainerConfigError: error SubPath `/etc` must not be an absolute path',
    );
    expect(await failure(makeMounts(container([{ name: 'data', mountPath: '/d', subPathExpr: '$(DIR)/etc' }]), v, env, log))).toBe(
      "CreateContainerConfigError: unable to provision SubPath `../../../etc`: must not contain '..'",
    );
  });

  it('refuses a link the container planted to the host, telling the pod no host path', async () => {
    const v = await volumes();
    fs.symlinkSync(outside, path.join(v.get('data')!.path, 'etc')); // what `ln -s /etc /data/etc` leaves on the node
    logged.length = 0;
    expect(await failure(makeMounts(container([{ name: 'data', mountPath: '/host-etc', subPath: 'etc/new' }]), v, new Map(), log))).toBe(
      'CreateContainerConfigError: failed to prepare subPath for volumeMount "data" of container "app"',
    );
    expect(logged.map((l) => JSON.parse(l) as unknown)).toEqual([
      expect.objectContaining({
        container: 'app',
        volumeMount: 'data',
        subPath: 'etc/new',
        err: expect.objectContaining({ type: 'VolumeEscapeError' }),
      }),
    ]);
    expect(fs.readdirSync(outside)).toEqual([]);
  });
});

describe('withSubPathWritersPaused', () => {
  const volumes = new Map([
    ['data', { path: '/v/data', readOnly: false }],
    ['cfg', { path: '/v/cfg', readOnly: true }],
  ]);
  const spec = (containers: Container[]): Pod => ({ metadata: { name: 'p', namespace: 'default', uid: 'u' }, spec: { containers } });
  const rc = (name: string, state: RuntimeContainer['state'] = 'running') => ({ id: `id-${name}`, name, state }) as RuntimeContainer;
  const writer = container([{ name: 'data', mountPath: '/data' }]);
  const reader = { ...container([{ name: 'data', mountPath: '/data', readOnly: true }]), name: 'reader' };
  const victim = { ...container([{ name: 'data', mountPath: '/logs', subPath: 'logs' }]), name: 'victim' };

  function recorder(exited: string[] = []) {
    const calls: string[] = [];
    const runtime = {
      pauseContainer: async (id: string) => (calls.push(`pause ${id}`), !exited.includes(id)),
      unpauseContainer: async (id: string) => void calls.push(`unpause ${id}`),
    };
    return { calls, runtime };
  }

  it("freezes the pod's running containers that could rewrite the volume while the new one starts", async () => {
    const { calls, runtime } = recorder(['id-late']);
    const late = { ...writer, name: 'late' };
    const pod = spec([writer, reader, late, victim]);
    const running = async () => [rc('app'), rc('reader'), rc('late'), rc('victim', 'exited')];
    await withSubPathWritersPaused(pod, victim, volumes, runtime, running, async () => void calls.push('start'));
    // `late` exited before it could be paused: nothing to unpause. `reader` cannot write: left running.
    expect(calls).toEqual(['pause id-app', 'pause id-late', 'start', 'unpause id-app']);
  });

  it('unpauses them when the start fails', async () => {
    const { calls, runtime } = recorder();
    const failing = withSubPathWritersPaused(
      spec([writer, victim]),
      victim,
      volumes,
      runtime,
      async () => [rc('app')],
      async () => {
        throw new Error('failed to prepare subPath');
      },
    );
    await expect(failing).rejects.toThrow('failed to prepare subPath');
    expect(calls).toEqual(['pause id-app', 'unpause id-app']);
  });

  it('pauses nothing without a subPath into a writable volume', async () => {
    const { calls, runtime } = recorder();
    const cfgVictim = { ...container([{ name: 'cfg', mountPath: '/c', subPath: 'app.conf' }]), name: 'victim' };
    const whole = { ...container([{ name: 'data', mountPath: '/d' }]), name: 'whole' };
    for (const c of [cfgVictim, whole])
      await withSubPathWritersPaused(
        spec([writer, c]),
        c,
        volumes,
        runtime,
        async () => [rc('app')],
        async () => void calls.push('start'),
      );
    expect(calls).toEqual(['start', 'start']);
  });
});
