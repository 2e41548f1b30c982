/**
 * Classic Raft bugs, planted in test-only subclasses of the core so the tests can prove the
 * simulator's invariants have teeth. Production code never sees these: the core has no flag
 * that turns a bug on, only two protected methods these variants override.
 */
import { Raft, RawNode, type Config, type Storage } from '../../cluster/raft/index.js';

/**
 * Commits any entry stored on a majority, whatever its term — the bug Figure 8 of the Raft
 * paper is about. A leader can then "commit" an old-term entry that a later leader overwrites.
 */
export class OldTermCommitRaft extends Raft {
  protected override maybeCommit(): boolean {
    const index = this.tracker.committedIndex();
    if (index <= this.raftLog.committed || index > this.raftLog.lastIndex()) return false;
    this.raftLog.commitTo(index);
    return true;
  }
}

/**
 * Grants votes without the §5.4.1 election restriction, so a candidate missing committed
 * entries can win and overwrite them.
 */
export class VoteWithoutLogCheckRaft extends Raft {
  protected override logIsUpToDate(): boolean {
    return true;
  }
}

/**
 * Takes a dropped link to its leader as proof the leader is gone: campaigns, and grants votes,
 * a tick after the leader's last message instead of after every lease it may hold ran out. A
 * partition that closes connections then lets a new leader commit while the old one still
 * serves reads on its lease.
 */
export class LinkDropIgnoresLeaseRaft extends Raft {
  protected override linkDownTicks(): number {
    return 1;
  }
}

export function oldTermCommitNode(config: Config, storage: Storage): RawNode {
  return new RawNode(config, storage, (c, s) => new OldTermCommitRaft(c, s));
}

export function voteWithoutLogCheckNode(config: Config, storage: Storage): RawNode {
  return new RawNode(config, storage, (c, s) => new VoteWithoutLogCheckRaft(c, s));
}
