/** Lesson 2: how the leader replicates and commits an entry (Raft §5.3). */
import { fact, type Lesson } from '../model.js';
import { allCommitted, followers, leader, node } from '../observe.js';
import { majorityOf, meetTheLeader } from './common.js';

export const replicationLesson: Lesson = {
  id: 'replication',
  title: 'Log replication',
  summary: 'Write a task, watch it reach every log; freeze a follower and see a majority suffice.',
  steps: [
    meetTheLeader(
      () =>
        'Only the leader takes writes. Each write becomes an entry in the leader’s log, tagged ' +
        'with its term and index (Figure 6); the log, replayed in order, is what every node’s ' +
        'MySQL database holds.',
    ),
    {
      id: 'write',
      title: 'Write a task',
      intro: (f) =>
        `Create a task (it appears in your Tasks tab). Node ${fact(f, 'leader')} appends it to ` +
        'its log and sends it in AppendEntries to the followers (§5.3). Once a majority has ' +
        'stored it, the entry is committed: the leader applies it to its database and answers. ' +
        'Followers learn the new commit index from the next AppendEntries (leaderCommit) and ' +
        'apply it too.',
      action: {
        label: () => 'Create a task',
        run: async (ops) => {
          const w = await ops.createTask('Lesson: a replicated write');
          return { write1: w.index, write1Term: w.term };
        },
      },
      until: {
        waitingFor: (f) => `every running node to commit index ${fact(f, 'write1')}`,
        check: (status, f) => (allCommitted(status, fact(f, 'write1')) ? {} : null),
      },
      outcome: (f) =>
        `The task is entry ${fact(f, 'write1')} of term ${fact(f, 'write1Term')}, and every ` +
        'node has committed it. Log Matching (§5.3): if two logs hold an entry with the same ' +
        'index and term, they are identical up to it, so all three databases now agree.',
      paper: '§5.3, Figures 6 and 2 (AppendEntries)',
    },
    {
      id: 'pause-follower',
      title: 'Freeze a follower',
      intro: (f) =>
        `Now freeze one follower. A leader needs a majority, not everyone: with ${fact(f, 'voters')} ` +
        `voters, ${majorityOf(f)} copies (its own included) are enough.`,
      action: {
        label: (f) => {
          const id = f['follower'];
          return id === undefined ? 'Pause a follower' : `Pause node ${id}`;
        },
        run: async (ops, f, status) => {
          const l = leader(status)?.id ?? fact(f, 'leader');
          const victim = followers(status, l)[0];
          if (victim === undefined) throw new Error('there is no running follower to pause');
          await ops.pause(victim.id);
          return { follower: victim.id, leaderNow: l };
        },
      },
      until: {
        waitingFor: (f) => `node ${fact(f, 'follower')} to show as paused`,
        check: (status, f) => (node(status, fact(f, 'follower'))?.status === 'paused' ? {} : null),
      },
      outcome: (f) => `Node ${fact(f, 'follower')} is frozen; it receives nothing from now on.`,
    },
    {
      id: 'write-majority',
      title: 'Write with a majority',
      intro: (f) =>
        `Create another task. Node ${fact(f, 'leaderNow')} sends it to every follower; node ` +
        `${fact(f, 'follower')} cannot answer, and the copies of the others are enough to commit.`,
      action: {
        label: () => 'Create another task',
        run: async (ops) => {
          const w = await ops.createTask('Lesson: written while a follower was frozen');
          return { write2: w.index };
        },
      },
      until: {
        waitingFor: (f) => `the running nodes to commit index ${fact(f, 'write2')}`,
        check(status, f) {
          if (!allCommitted(status, fact(f, 'write2'))) return null;
          return { frozenCommit: node(status, fact(f, 'follower'))?.commitIndex ?? 0 };
        },
      },
      outcome: (f) =>
        `Entry ${fact(f, 'write2')} is committed on the running nodes, while node ` +
        `${fact(f, 'follower')} still stops at ${fact(f, 'frozenCommit')}. The write was ` +
        'acknowledged only after a majority stored it, so every future leader will hold it (§5.4).',
      paper: '§5.3',
    },
    {
      id: 'catch-up',
      title: 'The follower catches up',
      intro: (f) =>
        `Resume node ${fact(f, 'follower')}. The leader keeps a nextIndex per follower; an ` +
        'AppendEntries carries the index and term of the entry before the new ones ' +
        '(prevLogIndex/prevLogTerm), and a follower whose log does not match refuses it, so the ' +
        'leader steps back until the logs agree and then sends everything after (§5.3, Figure 7).',
      action: {
        label: (f) => `Resume node ${fact(f, 'follower')}`,
        run: async (ops, f) => ops.resume(fact(f, 'follower')),
      },
      until: {
        waitingFor: (f) => `node ${fact(f, 'follower')} to commit index ${fact(f, 'write2')}`,
        check: (status, f) =>
          allCommitted(status, fact(f, 'write2'), [fact(f, 'follower')]) ? {} : null,
      },
      outcome: (f) =>
        `Node ${fact(f, 'follower')} received the entries it missed and committed index ` +
        `${fact(f, 'write2')}. Nothing had to be re-sent by you: the leader repairs followers ` +
        'by itself, which is why a slow or paused node never loses data it already acknowledged.',
      paper: '§5.3, Figure 7',
    },
  ],
};
