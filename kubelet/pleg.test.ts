// The PLEG as the pod cache: what a relist reports changed, and that a sync's record outlives a relist
// whose list was taken before it.
import { FakeClock } from '../shared/clock';
import { GenericPLEG } from './pleg';
import { allContainers } from './podruntime';
import { FakeRuntime, recordReads } from './runtime/fake';
import { LABELS } from './runtime/interface';

const labels = (uid: string, name: string) => ({
  [LABELS.podUid]: uid,
  [LABELS.podName]: uid,
  [LABELS.podNamespace]: 'default',
  [LABELS.containerName]: name,
  [LABELS.restartCount]: '0',
  [LABELS.nodeName]: 'node-1',
});

function setUp() {
  const runtime = new FakeRuntime(new FakeClock(0));
  const pleg = new GenericPLEG(runtime, 'node-1');
  const run = (uid: string, name: string) =>
    runtime.runContainer('', { name, image: 'busybox', env: [], mounts: [], labels: labels(uid, name) });
  return { runtime, pleg, run };
}

const ids = (pleg: GenericPLEG, uid: string) => allContainers(pleg.podRuntime(uid)).map((c) => `${c.id}:${c.state}`);

describe('GenericPLEG', () => {
  it('reports the pods whose containers appeared, exited or went since the last relist, and caches them', async () => {
    const { runtime, pleg, run } = setUp();
    const a = await run('u1', 'app');
    await run('u2', 'app');
    expect([...(await pleg.relist()).changed].sort()).toEqual(['u1', 'u2']);
    expect([...(await pleg.relist()).changed]).toEqual([]);
    runtime.exit(a, 1);
    expect([...(await pleg.relist()).changed]).toEqual(['u1']);
    expect(ids(pleg, 'u1')).toEqual([`${a}:exited`]);
    runtime.containers.delete(a);
    const { changed, pods } = await pleg.relist();
    expect([...changed]).toEqual([]); // a pod with no containers left is simply gone
    expect([...pods.keys()]).toEqual(['u2']);
    expect(ids(pleg, 'u1')).toEqual([]);
  });

  it('keeps what a sync recorded while a relist was listing, instead of the older list', async () => {
    const { runtime, pleg, run } = setUp();
    await pleg.relist();
    // The relist's list is taken now, before the sync below starts a container; it returns after.
    let release!: () => void;
    const list = runtime.listContainers.bind(runtime);
    runtime.listContainers = async (node, uid) => {
      const listed = await list(node, uid);
      await new Promise<void>((r) => (release = r));
      return listed;
    };
    const relist = pleg.relist();
    await Promise.resolve();
    const id = await run('u1', 'app');
    await pleg.observe('u1', [id]);
    release();
    const { pods, containers } = await relist;
    expect(ids(pleg, 'u1')).toEqual([`${id}:running`]);
    expect(pods.has('u1')).toBe(true);
    expect(containers.map((c) => c.id)).toEqual([id]);
    // The next relist's list was taken after the record: it is believed again.
    runtime.listContainers = list;
    runtime.exit(id, 0);
    expect([...(await pleg.relist()).changed]).toEqual(['u1']);
    expect(ids(pleg, 'u1')).toEqual([`${id}:exited`]);
  });

  it('reads one pod from the runtime (GetPodStatus) with a list of its containers only', async () => {
    const { runtime, pleg, run } = setUp();
    const a = await run('u1', 'app');
    await run('u2', 'app');
    const reads = recordReads(runtime);
    const rt = await pleg.updatePod('u1');
    expect(allContainers(rt).map((c) => c.id)).toEqual([a]);
    expect(reads).toEqual(['list u1']);
    expect(pleg.podRuntime('u1')).toBe(rt);
  });
});
