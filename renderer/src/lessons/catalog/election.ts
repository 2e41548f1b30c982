/** Lesson 1: how a leader is chosen, and why a term has at most one (Raft §5.1–5.2). */
import { fact, type Lesson } from '../model.js';
import { newLeader } from '../observe.js';
import { followsAgain, majorityOf, meetTheLeader } from './common.js';

export const electionLesson: Lesson = {
  id: 'election',
  title: 'Leader election',
  summary: 'Freeze the leader, watch the others elect a new one, and see the old one step down.',
  steps: [
    meetTheLeader(
      () =>
        'Every Raft server is a follower, a candidate or the leader (Raft paper §5.1, Figure 4). ' +
        'Time is cut into terms, numbered 1, 2, 3, …; each term starts with an election and has at ' +
        'most one leader (Figure 5). The leader sends heartbeats (empty AppendEntries) to every ' +
        'follower; a follower that hears one resets its election timer and stays a follower.',
    ),
    {
      id: 'pause',
      title: 'Silence the leader',
      intro: (f) =>
        `Pause node ${fact(f, 'leader')}: its process is frozen (SIGSTOP), as if its machine ` +
        'hung. Its heartbeats stop. Each follower waits out its own randomized election timeout ' +
        '(§5.2; the randomness makes it unlikely that two start at once and split the vote), then ' +
        'becomes a candidate: it increments its term, votes for itself and asks the others with ' +
        'RequestVote. This cluster first runs a PreVote round (Ongaro’s thesis §9.6), so a node ' +
        'only raises its term when it could actually win.',
      action: {
        label: (f) => `Pause node ${fact(f, 'leader')}`,
        run: async (ops, f) => ops.pause(fact(f, 'leader')),
      },
      until: {
        waitingFor: (f) =>
          `a node other than ${fact(f, 'leader')} to win an election in a term above ${fact(f, 'term')}`,
        check(status, f) {
          const n = newLeader(status, fact(f, 'leader'), fact(f, 'term'));
          return n === undefined ? null : { newLeader: n.id, newTerm: n.term };
        },
      },
      outcome: (f) =>
        `Node ${fact(f, 'newLeader')} won term ${fact(f, 'newTerm')}: a majority (itself ` +
        `included, ${majorityOf(f)}) voted for it, and each server votes at most once per ` +
        'term, so no other node can win that term (Election Safety, Figure 3). Node ' +
        `${fact(f, 'leader')} is still frozen and still believes it leads term ${fact(f, 'term')}; ` +
        'it can do no harm, because everything it sends carries that older term.',
      paper: '§5.2, Figure 2 (RequestVote)',
    },
    {
      id: 'resume',
      title: 'The old leader wakes up',
      intro: (f) =>
        `Resume node ${fact(f, 'leader')}. It wakes up as leader of term ${fact(f, 'term')}. ` +
        'Raft’s rule (§5.1): a server that sees a higher term in any message adopts it, and a ' +
        'leader or candidate that does so reverts to follower at once.',
      action: {
        label: (f) => `Resume node ${fact(f, 'leader')}`,
        run: async (ops, f) => ops.resume(fact(f, 'leader')),
      },
      until: followsAgain('leader', 'newTerm', 'backTerm'),
      outcome: (f) =>
        `Node ${fact(f, 'leader')} learned term ${fact(f, 'backTerm')} from node ` +
        `${fact(f, 'backTermLeader')} and is a follower again. At no moment did two leaders ` +
        'share a term: terms act as a logical clock that makes stale leaders harmless.',
      paper: '§5.1',
    },
  ],
};
