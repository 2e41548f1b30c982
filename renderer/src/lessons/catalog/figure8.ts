/**
 * Lesson 5: Figure 8 of the Raft paper. Its exact interleaving needs single messages lost at
 * chosen moments, which whole-node faults and partitions cannot schedule; so the lesson explains
 * the figure and then shows, on the real cluster, the rule that defuses it.
 */
import { fact, type Lesson } from '../model.js';
import { newLeader, node } from '../observe.js';
import { followsAgain, meetTheLeader } from './common.js';

export const figure8Lesson: Lesson = {
  id: 'figure8',
  title: 'Figure 8: replicated is not committed',
  summary: 'Why an old-term entry stored on a majority is not yet committed, and the no-op fix.',
  steps: [
    {
      id: 'figure',
      title: 'The trap in Figure 8',
      intro: () =>
        'Five servers S1–S5. (a) S1 leads term 2 and gets entry 2 onto S2 only. (b) S1 crashes; ' +
        'S5 wins term 3 (votes from S3, S4, itself) and writes a different entry at index 2, ' +
        'stored only on S5. (c) S5 crashes; S1 wins term 4 and copies its term-2 entry to S3: ' +
        'now it is on S1, S2, S3, a majority. (d) If S1 counted that as committed and then ' +
        'crashed, S5 could still win term 5 (its last entry, term 3, is newer than term 2, so ' +
        'S2, S3, S4 vote for it) and overwrite index 2 everywhere: a “committed” entry lost. ' +
        '(e) If instead S1 first replicates an entry of its own term 4 to a majority, S5 can no ' +
        'longer win, and index 2 is safe.',
      outcome: () =>
        'This window cannot stage that exact sequence on the real cluster: it needs individual ' +
        'messages lost at chosen moments, and the controls here fault whole nodes and links. ' +
        'What you can watch is the rule that prevents it.',
      paper: '§5.4.2, Figure 8',
    },
    meetTheLeader(
      () =>
        'The rule (§5.4.2): a leader counts replicas only for entries of its own current term. ' +
        'Older entries become committed indirectly, when an entry of the current term after them ' +
        'commits (Log Matching makes the earlier ones identical too). So a new leader commits an ' +
        'entry of its own term as soon as it can: a blank no-op entry, appended when it takes ' +
        'office (§8).',
    ),
    {
      id: 'new-leader',
      title: 'A new leader commits its no-op',
      intro: (f) =>
        `Pause node ${fact(f, 'leader')}. Without any client writing, watch the new leader’s ` +
        `commit index move past ${fact(f, 'last')}, the end of the old leader’s log.`,
      action: {
        label: (f) => `Pause node ${fact(f, 'leader')}`,
        run: async (ops, f, status) => {
          // The old leader's log end right before it stops (a write may have landed since).
          const end = node(status, fact(f, 'leader'))?.lastLogIndex ?? fact(f, 'last');
          await ops.pause(fact(f, 'leader'));
          return { last: Math.max(end, fact(f, 'last')) };
        },
      },
      until: {
        waitingFor: (f) =>
          `a new leader above term ${fact(f, 'term')} to commit an entry past index ${fact(f, 'last')}`,
        check(status, f) {
          const n = newLeader(status, fact(f, 'leader'), fact(f, 'term'));
          // A new leader's commit index moves only with an entry of its own term (§5.4.2).
          if (n === undefined || n.commitIndex <= fact(f, 'last')) return null;
          return { newLeader: n.id, newTerm: n.term, noop: n.commitIndex };
        },
      },
      outcome: (f) =>
        `Node ${fact(f, 'newLeader')} leads term ${fact(f, 'newTerm')} and its commit index is ` +
        `${fact(f, 'noop')}: above ${fact(f, 'last')}, though nobody wrote a task. That entry ` +
        `is its no-op of term ${fact(f, 'newTerm')}; committing it also commits every older ` +
        'entry before it. Only now may the leader answer reads and report earlier entries as ' +
        'committed.',
      paper: '§5.4.2, §8',
    },
    {
      id: 'resume',
      title: 'Put the old leader back',
      intro: (f) => `Resume node ${fact(f, 'leader')}; it will follow the new leader.`,
      action: {
        label: (f) => `Resume node ${fact(f, 'leader')}`,
        run: async (ops, f) => ops.resume(fact(f, 'leader')),
      },
      until: followsAgain('leader', 'newTerm', 'backTerm'),
      outcome: (f) =>
        `Node ${fact(f, 'leader')} follows node ${fact(f, 'backTermLeader')} in term ` +
        `${fact(f, 'backTerm')}.`,
    },
  ],
};
