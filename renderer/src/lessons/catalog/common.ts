/** Steps and conditions more than one lesson uses. */
import type { Facts, Step, StepCondition } from '../model.js';
import { fact } from '../model.js';
import { leader, node, running } from '../observe.js';

/** Waits for a leader that every running node follows; learns `leader`, `term`, `commit`. */
export function settledLeader(): StepCondition {
  return {
    waitingFor: () => 'a leader that every running node follows',
    check(status) {
      const l = leader(status);
      if (l === undefined) return null;
      const all = running(status);
      if (!all.every((n) => n.term === l.term && (n.id === l.id || n.leaderId === l.id))) {
        return null;
      }
      const voters = Math.max(l.voters.length, all.length);
      return { leader: l.id, term: l.term, commit: l.commitIndex, last: l.lastLogIndex, voters };
    },
  };
}

/** Waits until node `who` runs again as a follower of a term at least `minTerm`. */
export function followsAgain(who: string, minTerm: string, learnAs: string): StepCondition {
  return {
    waitingFor: (f) =>
      `node ${fact(f, who)} to run as a follower in term ${fact(f, minTerm)} or later`,
    check(status, f) {
      const n = node(status, fact(f, who));
      const l = leader(status);
      if (n === undefined || l === undefined || n.status !== 'running') return null;
      if (n.role !== 'follower' || n.term < fact(f, minTerm) || n.leaderId !== l.id) return null;
      return { [learnAs]: n.term, [`${learnAs}Leader`]: l.id };
    },
  };
}

/** How many votes (or copies) make a majority of the voters the first step counted. */
export function majority(f: Facts): number {
  return Math.floor(fact(f, 'voters') / 2) + 1;
}

/** "2 of 3". */
export function majorityOf(f: Facts): string {
  return `${majority(f)} of ${fact(f, 'voters')}`;
}

/** The first step of most lessons: find the leader. */
export function meetTheLeader(intro: (f: Facts) => string): Step {
  return {
    id: 'leader',
    title: 'Find the leader',
    intro,
    until: settledLeader(),
    outcome: (f) =>
      `Node ${fact(f, 'leader')} is the leader of term ${fact(f, 'term')}, and every running ` +
      `node agrees. Its log ends at index ${fact(f, 'last')}; entries up to ` +
      `${fact(f, 'commit')} are committed.`,
    paper: '§5.1, Figures 4 and 5',
  };
}
