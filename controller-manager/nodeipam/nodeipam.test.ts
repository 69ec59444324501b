import type { Node } from '../../shared/api/core';
import { newLogger } from '../../shared/log';
import { clockAt, fakeInformers, synced } from '../testing';
import { CidrSet, NodeIpamController } from './nodeipam';

const node = (name: string, podCIDR?: string): Node => ({ metadata: { name }, spec: podCIDR ? { podCIDR, podCIDRs: [podCIDR] } : {} });

async function setup(nodes: Node[], fail = false) {
  const informers = fakeInformers({ nodes });
  const written: string[] = [];
  const writer = {
    setPodCIDR: async (n: string, cidr: string) => {
      if (fail) throw new Error('apiserver unavailable');
      written.push(`${n}=${cidr}`);
    },
  };
  const c = new NodeIpamController(
    informers,
    writer,
    '10.244.0.0/16',
    clockAt('2026-01-01T00:00:00Z'),
    newLogger('test').child({ level: 'silent' }),
  );
  await synced(informers);
  return { c, written };
}

describe('CidrSet', () => {
  it('hands out /24s after the first, skipping occupied ones, and reuses released ones', () => {
    const set = new CidrSet('10.244.0.0/22');
    set.occupy('10.244.2.0/24');
    expect([set.allocateNext(), set.allocateNext()]).toEqual(['10.244.1.0/24', '10.244.3.0/24']);
    expect(() => set.allocateNext()).toThrow('no free pod CIDR left in 10.244.0.0/22');
    set.release('10.244.1.0/24');
    expect(set.allocateNext()).toBe('10.244.1.0/24');
  });

  it('ignores ranges outside the cluster CIDR or of another size', () => {
    const set = new CidrSet('10.244.0.0/23');
    set.occupy('192.168.1.0/24');
    set.occupy('10.244.1.0/25');
    expect(set.allocateNext()).toBe('10.244.1.0/24');
  });
});

describe('NodeIpam controller', () => {
  it('gives two nodes joining together different ranges, around those already taken', async () => {
    const { c, written } = await setup([node('n1', '10.244.1.0/24'), node('n2'), node('n3')]);
    await Promise.all([c.sync('n2'), c.sync('n3')]);
    expect(written.sort()).toEqual(['n2=10.244.2.0/24', 'n3=10.244.3.0/24']);
  });

  it('does not allocate again while the cache still shows the node without its new range', async () => {
    const { c, written } = await setup([node('n1')]);
    await c.sync('n1');
    await c.sync('n1'); // a resync of the stale object
    expect(written).toEqual(['n1=10.244.1.0/24']);
  });

  it('frees the range when the write fails, so the retry gets the same one', async () => {
    const { c } = await setup([node('n1')], true);
    await expect(c.sync('n1')).rejects.toThrow('apiserver unavailable');
    await expect(c.sync('n1')).rejects.toThrow('apiserver unavailable');
  });
});
