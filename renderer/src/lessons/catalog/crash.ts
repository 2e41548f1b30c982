/** Lesson 3: the leader dies; a new one takes over with every committed entry (Raft §5.4, §5.5). */
import { fact, type Lesson } from '../model.js';
import { allCommitted, newLeader, node } from '../observe.js';
import { followsAgain, majorityOf, meetTheLeader } from './common.js';

export const crashLesson: Lesson = {
  id: 'crash',
  title: 'Leader crash and recovery',
  summary: 'Kill the leader with SIGKILL, keep writing, restart it and watch it catch up.',
  steps: [
    meetTheLeader(
      () =>
        'A committed entry must survive the leader that committed it. Raft keeps its ' +
        'persistent state (current term, vote, log: Figure 2) on disk before answering, so a ' +
        'crash loses nothing that was acknowledged.',
    ),
    {
      id: 'write',
      title: 'Commit a task',
      intro: (f) => `Create a task through node ${fact(f, 'leader')} and let it commit.`,
      action: {
        label: () => 'Create a task',
        run: async (ops) => {
          const w = await ops.createTask('Lesson: committed before the crash');
          return { before: w.index };
        },
      },
      until: {
        waitingFor: (f) => `every running node to commit index ${fact(f, 'before')}`,
        check: (status, f) => (allCommitted(status, fact(f, 'before')) ? {} : null),
      },
      outcome: (f) => `Entry ${fact(f, 'before')} is committed on every node.`,
    },
    {
      id: 'kill',
      title: 'Kill the leader',
      intro: (f) =>
        `Kill node ${fact(f, 'leader')} (SIGKILL: no chance to clean up). The followers time ` +
        'out and elect a new leader. Only a node whose log is at least as up-to-date as a ' +
        'majority’s can win (the election restriction, §5.4.1): a voter refuses a candidate ' +
        'whose last entry has an older term, or the same term and a smaller index. Since entry ' +
        `${fact(f, 'before')} sits on a majority, the winner must hold it (Leader Completeness).`,
      action: {
        label: (f) => `Kill node ${fact(f, 'leader')}`,
        run: async (ops, f) => ops.kill(fact(f, 'leader')),
      },
      until: {
        waitingFor: (f) =>
          `a new leader in a term above ${fact(f, 'term')} (node ${fact(f, 'leader')} is dead)`,
        check(status, f) {
          const n = newLeader(status, fact(f, 'leader'), fact(f, 'term'));
          if (n === undefined) return null;
          return { newLeader: n.id, newTerm: n.term, newLast: n.lastLogIndex };
        },
      },
      outcome: (f) =>
        `Node ${fact(f, 'newLeader')} leads term ${fact(f, 'newTerm')}. Its log reaches index ` +
        `${fact(f, 'newLast')}, which includes entry ${fact(f, 'before')}: nothing committed was lost.`,
      paper: '§5.4.1, Figure 3 (Leader Completeness)',
    },
    {
      id: 'write-after',
      title: 'Keep writing',
      intro: (f) =>
        `With node ${fact(f, 'leader')} dead, ${fact(f, 'voters') - 1} of ` +
        `${fact(f, 'voters')} nodes are left: still a majority (${majorityOf(f)} needed), ` +
        'so the cluster keeps accepting writes.',
      action: {
        label: () => 'Create a task',
        run: async (ops) => {
          const w = await ops.createTask('Lesson: written while the old leader was dead');
          return { after: w.index, afterTerm: w.term };
        },
      },
      until: {
        waitingFor: (f) => `the two running nodes to commit index ${fact(f, 'after')}`,
        check: (status, f) => (allCommitted(status, fact(f, 'after')) ? {} : null),
      },
      outcome: (f) =>
        `Entry ${fact(f, 'after')} (term ${fact(f, 'afterTerm')}) is committed by the two ` +
        'survivors.',
    },
    {
      id: 'restart',
      title: 'Bring the old leader back',
      intro: (f) =>
        `Restart node ${fact(f, 'leader')}. It reloads its term, vote and log from disk, starts ` +
        'as a follower (every server does), hears the new leader’s higher term, and receives ' +
        'the entries it missed (§5.5: a restarted server simply gets the RPCs again).',
      action: {
        label: (f) => `Restart node ${fact(f, 'leader')}`,
        run: async (ops, f) => ops.restart(fact(f, 'leader')),
      },
      until: {
        waitingFor: (f) =>
          `node ${fact(f, 'leader')} to follow the leader and commit index ${fact(f, 'after')}`,
        check(status, f) {
          const followed = followsAgain('leader', 'newTerm', 'backTerm').check(status, f);
          const old = node(status, fact(f, 'leader'));
          if (followed === null || old === undefined || old.commitIndex < fact(f, 'after')) {
            return null;
          }
          return followed;
        },
      },
      outcome: (f) =>
        `Node ${fact(f, 'leader')} is a follower of node ${fact(f, 'backTermLeader')} in term ` +
        `${fact(f, 'backTerm')} and has committed index ${fact(f, 'after')}: it now holds both ` +
        `the entry from before its crash (${fact(f, 'before')}) and the one written while it was ` +
        'dead. Every replica is whole again.',
      paper: '§5.5, Figure 2 (persistent state)',
    },
  ],
};
