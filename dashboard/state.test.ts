import { FakeClock } from '../shared/clock';
import { DashboardState } from './state';
import type { Delta, LeaseView } from './views';

const lease = (name: string, holder: string): LeaseView => ({ key: `kube-system/${name}`, namespace: 'kube-system', name, holder });

describe('DashboardState', () => {
  it('sends the changes of one batch interval as one delta, several changes to an object collapsing into the last', () => {
    const clock = new FakeClock();
    const state = new DashboardState(100, clock);
    const deltas: Delta[] = [];
    state.subscribe((d) => deltas.push(d));
    state.put('leases', lease('a', 'one'));
    state.put('leases', lease('a', 'two'));
    state.put('leases', lease('b', 'one'));
    state.remove('leases', 'kube-system/b');
    state.remove('leases', 'kube-system/never-there');
    clock.step(99);
    expect(deltas).toHaveLength(0);
    clock.step(1);
    expect(deltas).toEqual([{ upsert: { leases: [lease('a', 'two')] }, remove: { leases: ['kube-system/b'] } }]);
    expect(state.snapshot().views.leases).toEqual([lease('a', 'two')]);
    clock.step(1000);
    expect(deltas).toHaveLength(1); // nothing changed: nothing sent
  });

  it('tells problems and served workload kinds in the snapshot and in the next delta', () => {
    const clock = new FakeClock();
    const state = new DashboardState(100, clock);
    const deltas: Delta[] = [];
    state.subscribe((d) => deltas.push(d));
    state.setProblem('leases', 'forbidden');
    state.setWorkloadKinds(['Deployment', 'ReplicaSet', 'Job']);
    clock.step(100);
    expect(deltas).toEqual([
      { upsert: {}, remove: {}, problems: { leases: 'forbidden' }, workloadKinds: ['Deployment', 'ReplicaSet', 'Job'] },
    ]);
    state.setProblem('leases', undefined);
    clock.step(100);
    expect(deltas[1].problems).toEqual({});
    expect(state.snapshot()).toMatchObject({ problems: {}, workloadKinds: ['Deployment', 'ReplicaSet', 'Job'] });
  });
});
