/** Lesson 4: a network partition, and why it cannot give two leaders that both commit (§5.2, §5.4). */
import { fact, type Lesson } from '../model.js';
import { allCommitted, newLeader, node } from '../observe.js';
import { followsAgain, majorityOf, meetTheLeader } from './common.js';

export const partitionLesson: Lesson = {
  id: 'partition',
  title: 'Partition: no split brain',
  summary: 'Cut the leader off from the others; only the majority side can elect and commit.',
  steps: [
    meetTheLeader(
      () =>
        'A partition splits the network: nodes on one side cannot reach the other. The danger is ' +
        '“split brain”, two sides each with a leader accepting writes. Raft rules it out with one ' +
        'idea: electing a leader and committing an entry both need a majority, and two ' +
        'majorities of the same cluster always share a node.',
    ),
    {
      id: 'cut',
      title: 'Cut the leader off',
      intro: (f) =>
        `Partition the network into {node ${fact(f, 'leader')}} and all the others. They ` +
        'stop hearing heartbeats, so one of them times out and, with the others’ votes ' +
        `(${majorityOf(f)} needed), ` +
        'becomes leader of a higher term.',
      action: {
        label: (f) => `Isolate node ${fact(f, 'leader')}`,
        run: async (ops, f, status) => {
          const l = fact(f, 'leader');
          const rest = status.nodes.map((n) => n.id).filter((id) => id !== l);
          await ops.partition([rest, [l]]);
        },
      },
      until: {
        waitingFor: (f) => `the majority side to elect a leader above term ${fact(f, 'term')}`,
        check(status, f) {
          const n = newLeader(status, fact(f, 'leader'), fact(f, 'term'));
          return n === undefined ? null : { newLeader: n.id, newTerm: n.term };
        },
      },
      outcome: (f) =>
        `Node ${fact(f, 'newLeader')} leads term ${fact(f, 'newTerm')} on the majority side. ` +
        `For a moment node ${fact(f, 'leader')} may still call itself leader of term ` +
        `${fact(f, 'term')}: two nodes saying “leader”, but of different terms.`,
      paper: '§5.2',
    },
    {
      id: 'step-down',
      title: 'The cut-off leader steps down',
      intro: (f) =>
        `Node ${fact(f, 'leader')} can no longer reach a majority. This cluster runs ` +
        'CheckQuorum: a leader that has not heard from a majority within an election timeout ' +
        'steps down by itself, so it stops presenting itself as leader (Ongaro’s thesis §6.2).',
      until: {
        waitingFor: (f) => `node ${fact(f, 'leader')} to stop calling itself leader`,
        check(status, f) {
          const old = node(status, fact(f, 'leader'));
          if (old === undefined || old.status !== 'running' || old.role === 'leader') return null;
          return { minorityTerm: old.term, minorityCommit: old.commitIndex };
        },
      },
      outcome: (f) =>
        `Node ${fact(f, 'leader')} is no longer leader; it is in term ${fact(f, 'minorityTerm')}. ` +
        (fact(f, 'minorityTerm') === fact(f, 'term')
          ? 'Its term did not grow: with PreVote it asks first whether it could win, and alone it ' +
            'cannot, so it does not raise its term and will not disrupt the majority on return.'
          : 'It tried to start elections, but alone it can never gather a majority of votes.'),
      paper: 'thesis §6.2, §9.6',
    },
    {
      id: 'write',
      title: 'Only the majority commits',
      intro: (f) =>
        `Create a task. It goes to node ${fact(f, 'newLeader')}, the majority’s leader, and ` +
        `commits with ${majorityOf(f)}. Had it gone to node ${fact(f, 'leader')}, it could never commit: ` +
        'that node cannot get a majority to store it, so the write would wait and then fail with ' +
        '“no quorum”, never succeed.',
      action: {
        label: () => 'Create a task',
        run: async (ops) => {
          const w = await ops.createTask('Lesson: written during the partition');
          return { write: w.index };
        },
      },
      until: {
        waitingFor: (f) => `node ${fact(f, 'newLeader')} to commit index ${fact(f, 'write')}`,
        check(status, f) {
          if (!allCommitted(status, fact(f, 'write'), [fact(f, 'newLeader')])) return null;
          return { cutCommit: node(status, fact(f, 'leader'))?.commitIndex ?? 0 };
        },
      },
      outcome: (f) =>
        `Entry ${fact(f, 'write')} is committed on the majority side, while node ` +
        `${fact(f, 'leader')} stays at commit index ${fact(f, 'cutCommit')}. That is why there ` +
        `is no split brain: any commit needs a majority, and two majorities of ${fact(f, 'voters')} ` +
        'always share a node.',
      paper: '§5.4, Figure 3 (Election Safety)',
    },
    {
      id: 'heal',
      title: 'Heal the network',
      intro: (f) =>
        `Heal the partition. Node ${fact(f, 'leader')} hears term ${fact(f, 'newTerm')} or ` +
        'later, becomes a follower and receives the entries it missed. If it held any entry ' +
        'its old term never committed, the new leader would overwrite it (§5.3): only committed ' +
        'entries are promised to survive.',
      action: {
        label: () => 'Heal the network',
        run: async (ops) => ops.heal(),
      },
      until: {
        waitingFor: (f) =>
          `node ${fact(f, 'leader')} to follow the leader and commit index ${fact(f, 'write')}`,
        check(status, f) {
          const followed = followsAgain('leader', 'newTerm', 'backTerm').check(status, f);
          const old = node(status, fact(f, 'leader'));
          return followed !== null && old !== undefined && old.commitIndex >= fact(f, 'write')
            ? followed
            : null;
        },
      },
      outcome: (f) =>
        `Node ${fact(f, 'leader')} follows node ${fact(f, 'backTermLeader')} in term ` +
        `${fact(f, 'backTerm')} and has entry ${fact(f, 'write')}. One history, one leader per term.`,
      paper: '§5.3',
    },
  ],
};
