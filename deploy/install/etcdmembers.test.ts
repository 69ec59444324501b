import {
  answeringMember,
  clientURLs,
  initialCluster,
  memberWithPeerURL,
  parseMembers,
  retryWhileReconfigurationRefused,
} from './etcdmembers';
import { apiserversOf } from './controlplanejoin';

// What etcd 3.4's gateway answered to MemberAdd on a one-member cluster (IDs are uint64 written as strings).
const added = {
  header: { cluster_id: '324952591200643719', member_id: '3319814642761637952', raft_term: '2' },
  member: { ID: '3171261071657377648', peerURLs: ['https://198.18.77.11:2380'] },
  members: [
    { ID: '3171261071657377648', peerURLs: ['https://198.18.77.11:2380'] },
    { ID: '3319814642761637952', name: 'cp1', peerURLs: ['https://198.18.77.10:2380'], clientURLs: ['https://198.18.77.10:2379'] },
  ],
};

describe('etcd members', () => {
  it('reads the members of an answer, a member added but not started without name or client URLs', () => {
    expect(parseMembers(added)).toEqual([
      { id: '3171261071657377648', name: '', peerURLs: ['https://198.18.77.11:2380'], clientURLs: [] },
      { id: '3319814642761637952', name: 'cp1', peerURLs: ['https://198.18.77.10:2380'], clientURLs: ['https://198.18.77.10:2379'] },
    ]);
    expect(answeringMember(added)).toBe('3319814642761637952');
    expect(memberWithPeerURL(parseMembers(added), 'https://198.18.77.11:2380')?.id).toBe('3171261071657377648');
  });

  it('refuses answers that are not member lists', () => {
    expect(() => parseMembers({ error: 'connection closed', code: 14 })).toThrow('lists no members');
    expect(() => parseMembers({ members: [{ ID: 12 }] })).toThrow('without an ID');
    expect(() => answeringMember({ members: [] })).toThrow('names no member');
  });

  it("makes the joiner's --initial-cluster from the started members and itself", () => {
    const members = parseMembers({
      members: [
        ...added.members,
        { ID: '77', name: 'cp3', peerURLs: ['https://198.18.77.13:2380'], clientURLs: ['https://198.18.77.13:2379'] },
      ],
    });
    expect(initialCluster(members, { name: 'cp2', peerURL: 'https://198.18.77.11:2380' })).toBe(
      'cp2=https://198.18.77.11:2380,cp1=https://198.18.77.10:2380,cp3=https://198.18.77.13:2380',
    );
    expect(clientURLs(members)).toEqual(['https://198.18.77.10:2379', 'https://198.18.77.13:2379']);
  });

  it("names the apiserver of every member's machine", () => {
    expect(apiserversOf(['https://198.18.77.11:2379', 'https://198.18.77.10:2379', 'https://198.18.77.11:2379'])).toEqual([
      'https://198.18.77.11:6443',
      'https://198.18.77.10:6443',
    ]);
  });
});

describe('retryWhileReconfigurationRefused', () => {
  it('asks again while etcd refuses a member change as an unhealthy cluster (a member restarted a moment ago), and gives up on any other error', async () => {
    let calls = 0;
    const members = await retryWhileReconfigurationRefused(async () => {
      if (++calls === 1) throw new Error('etcd remove at https://127.0.0.1:2379: HTTP 503 etcdserver: unhealthy cluster');
      return ['cp1', 'cp2'];
    });
    expect({ calls, members }).toEqual({ calls: 2, members: ['cp1', 'cp2'] });
    await expect(
      retryWhileReconfigurationRefused(async () => {
        throw new Error('etcd remove at https://127.0.0.1:2379: HTTP 404 etcdserver: member not found');
      }),
    ).rejects.toThrow('member not found');
  });
});
