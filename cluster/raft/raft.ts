import { RaftLog } from './log.js';
import { Progress, ProgressTracker } from './progress.js';
import { ReadOnly } from './readonly.js';
import type { Storage } from './storage.js';
import {
  NONE,
  ProposalDropped,
  type ConfChange,
  type ConfState,
  type Config,
  type Entry,
  type EntryType,
  type HardState,
  type Message,
  type NodeId,
  type ReadState,
  type Role,
  type Snapshot,
  type Status,
} from './types.js';

type CampaignKind = 'pre' | 'real' | 'transfer';

/** A message being sent: `from` defaults to this node (a forwarded request keeps its origin). */
type Outgoing = Omit<Message, 'from'> & { readonly from?: NodeId };

/** A snapshot arriving in chunks, assembled before it is installed. */
interface IncomingSnapshot {
  readonly index: number;
  readonly term: number;
  /** The leader and its term: a transfer is identified by them and the snapshot. */
  readonly from: NodeId;
  readonly leaderTerm: number;
  readonly parts: string[];
  received: number;
}

/**
 * The Raft state machine (Ongaro & Ousterhout, "In Search of an Understandable Consensus
 * Algorithm", and Ongaro's thesis), shaped like etcd-io/raft: every input is a method call,
 * every output lands in `msgs`, `readStates` or the log, and nothing here touches a clock,
 * a socket, a disk or Math.random. {@link RawNode} turns the outputs into Ready batches.
 *
 * A few methods are `protected` on purpose so that test-only subclasses can plant the classic
 * bugs and prove the simulator catches them; production code never subclasses this.
 */
export class Raft {
  readonly id: NodeId;
  term = 0;
  vote: NodeId = NONE;
  lead: NodeId = NONE;
  role: Role = 'follower';
  readonly raftLog: RaftLog;
  readonly tracker: ProgressTracker;
  msgs: Message[] = [];
  readStates: ReadState[] = [];

  electionElapsed = 0;
  private heartbeatElapsed = 0;
  private randomizedElectionTimeout = 0;
  /**
   * The transport said our link to `lead` dropped (reportUnreachable) and nothing from it has
   * arrived since: wait only {@link linkDownTimeout} ticks after the last contact, not a full
   * randomized timeout (see linkDownTicks for why that is still lease-safe).
   */
  private leaderLinkDown = false;
  private linkDownTimeout = 0;
  /** Ticks left in which a pre-campaign started on a link drop is retried every tick. */
  private preVoteRetries = 0;
  leadTransferee: NodeId = NONE;
  /** Index of the latest conf entry proposed; no new one until it is applied. */
  private pendingConfIndex = 0;
  private readonly readOnly = new ReadOnly();
  /** ReadIndex requests that arrived before this leader committed an entry of its term. */
  private pendingReadIndex: Message[] = [];
  private incoming: IncomingSnapshot | undefined;

  constructor(
    protected readonly config: Config,
    storage: Storage,
  ) {
    if (config.id === NONE) throw new Error('node id must be a positive integer');
    if (config.heartbeatTick <= 0 || config.electionTick <= config.heartbeatTick) {
      throw new Error('electionTick must be greater than heartbeatTick, and both positive');
    }
    if (config.maxInflightMsgs <= 0) throw new Error('maxInflightMsgs must be positive');
    this.id = config.id;
    this.raftLog = new RaftLog(storage);
    this.tracker = new ProgressTracker(config.maxInflightMsgs);
    const { hardState, conf } = storage.initialState();
    if (conf.voters.length + conf.learners.length === 0 && this.raftLog.lastIndex() === 0) {
      // The bootstrap membership is not in the log (it is the snapshot at index 0), so a node
      // that starts with neither could never learn who the voters are.
      throw new Error(
        `node ${config.id} has an empty log and no configuration: start it with the cluster's ` +
          `bootstrap or current members (voters and learners) in its initial storage`,
      );
    }
    this.tracker.setConf(conf, this.raftLog.lastIndex() + 1);
    this.loadHardState(hardState);
    const floor = this.raftLog.firstIndex() - 1;
    const applied = Math.max(floor, Math.min(config.applied ?? floor, this.raftLog.committed));
    this.raftLog.applied = applied;
    // Conf changes between the snapshot and the applied index were applied before the restart.
    for (let i = floor + 1; i <= applied; i++) {
      const e = this.raftLog.entriesFrom(i, 1, Infinity)![0];
      if (e.type === 'conf') this.applyConfChange(JSON.parse(e.data) as ConfChange);
    }
    this.becomeFollower(this.term, NONE);
  }

  private loadHardState(hs: HardState): void {
    if (hs.commit > this.raftLog.lastIndex()) {
      throw new Error(
        `persisted commit ${hs.commit} is beyond the last log index ${this.raftLog.lastIndex()}: the log is truncated or corrupted`,
      );
    }
    // Everything in the snapshot is committed even if the hard state says less.
    this.raftLog.committed = Math.max(hs.commit, this.raftLog.committed);
    this.term = hs.term;
    this.vote = hs.vote;
  }

  hardState(): HardState {
    return { term: this.term, vote: this.vote, commit: this.raftLog.committed };
  }

  // ---------------------------------------------------------------- role changes

  private reset(term: number): void {
    if (this.term !== term) {
      this.term = term;
      this.vote = NONE;
    }
    this.lead = NONE;
    this.electionElapsed = 0;
    this.heartbeatElapsed = 0;
    this.randomizedElectionTimeout =
      this.config.electionTick + this.config.rng.int(this.config.electionTick);
    this.leadTransferee = NONE;
    this.leaderLinkDown = false;
    this.preVoteRetries = 0;
    this.tracker.resetVotes();
    const last = this.raftLog.lastIndex();
    for (const [id, old] of this.tracker.progress) {
      const pr = new Progress(last + 1, this.config.maxInflightMsgs, old.isLearner);
      if (id === this.id) pr.match = last;
      this.tracker.progress.set(id, pr);
    }
    this.pendingConfIndex = 0;
    this.readOnly.reset();
    this.pendingReadIndex = [];
  }

  becomeFollower(term: number, lead: NodeId): void {
    this.reset(term);
    this.lead = lead;
    this.role = 'follower';
  }

  private becomePreCandidate(): void {
    if (this.role === 'leader') throw new Error('a leader cannot become a pre-candidate');
    // A pre-candidate changes neither its term nor its vote: that is the point of PreVote.
    this.tracker.resetVotes();
    this.lead = NONE;
    this.leaderLinkDown = false;
    this.electionElapsed = 0;
    this.role = 'preCandidate';
  }

  private becomeCandidate(): void {
    if (this.role === 'leader') throw new Error('a leader cannot become a candidate');
    this.reset(this.term + 1);
    this.vote = this.id;
    this.role = 'candidate';
  }

  private becomeLeader(): void {
    this.reset(this.term);
    this.lead = this.id;
    this.role = 'leader';
    const self = this.tracker.progress.get(this.id);
    if (self) {
      self.becomeReplicate();
      self.recentActive = true;
    }
    // Conf entries already in the log may not be applied yet; no new change until they are.
    this.pendingConfIndex = this.raftLog.lastIndex();
    // The no-op lets this leader commit (and so learn the commit index of) earlier terms' entries.
    this.appendEntries([{ type: 'normal', data: '' }]);
  }

  private promotable(): boolean {
    return this.tracker.isVoter(this.id);
  }

  // ---------------------------------------------------------------- inputs

  tick(): void {
    if (this.role === 'leader') this.tickHeartbeat();
    else this.tickElection();
  }

  private tickElection(): void {
    this.electionElapsed++;
    if (!this.promotable() || this.electionElapsed < this.electionTimeout()) return;
    // A pre-campaign started on a link drop is retried every tick for a few ticks: its PreVote
    // may reach the other survivors a fraction of a tick before they leave the lease (their
    // ticks run at another phase), and they drop it silently. PreVotes disturb no one.
    const retries = this.leaderLinkDown
      ? this.linkDownSlotTicks() - 1
      : Math.max(0, this.preVoteRetries - 1);
    this.electionElapsed = 0;
    this.hup('pre');
    this.preVoteRetries = this.role === 'preCandidate' ? retries : 0;
  }

  private tickHeartbeat(): void {
    this.heartbeatElapsed++;
    this.electionElapsed++;
    if (this.electionElapsed >= this.config.electionTick) {
      this.electionElapsed = 0;
      if (this.config.checkQuorum) this.checkQuorum();
      // A transfer that did not finish within an election timeout is abandoned.
      if (this.role === 'leader') this.leadTransferee = NONE;
    }
    if (this.role !== 'leader') return;
    if (this.heartbeatElapsed >= this.config.heartbeatTick) {
      this.heartbeatElapsed = 0;
      this.bcastHeartbeat();
    }
  }

  /** Starts an election now (the paper's election timeout firing), if allowed. */
  hup(kind: CampaignKind = 'pre'): void {
    if (this.role === 'leader') return;
    if (this.hasUnappliedConfChange()) return; // our view of the membership may be stale
    this.campaign(kind === 'pre' && !this.config.preVote ? 'real' : kind);
  }

  private hasUnappliedConfChange(): boolean {
    const { applied, committed } = this.raftLog;
    if (committed <= applied) return false;
    const ents = this.raftLog.entriesFrom(applied + 1, committed - applied, Infinity) ?? [];
    return ents.some((e) => e.type === 'conf');
  }

  private campaign(kind: CampaignKind): void {
    if (!this.promotable()) return;
    let voteType: 'preVote' | 'vote';
    let term: number;
    if (kind === 'pre') {
      this.becomePreCandidate();
      voteType = 'preVote';
      term = this.term + 1; // the term we would campaign in
    } else {
      this.becomeCandidate();
      voteType = 'vote';
      term = this.term;
    }
    this.tracker.recordVote(this.id, true);
    if (this.tracker.tallyVotes() === 'won') {
      // A single voter wins at once.
      if (kind === 'pre') this.campaign('real');
      else this.becomeLeader();
      return;
    }
    const index = this.raftLog.lastIndex();
    const logTerm = this.raftLog.lastTerm();
    for (const id of this.tracker.voters) {
      if (id === this.id) continue;
      const m: Outgoing = { type: voteType, to: id, term, index, logTerm };
      this.send(kind === 'transfer' ? { ...m, transfer: true } : m);
    }
  }

  /** Appends commands on the leader; returns the index and term of the first one. */
  propose(commands: readonly { type: EntryType; data: string }[]): { index: number; term: number } {
    if (this.role !== 'leader')
      throw new ProposalDropped(
        `node ${this.id} is not the leader (leader: ${this.lead || 'unknown'})`,
      );
    if (this.leadTransferee !== NONE)
      throw new ProposalDropped(`leadership is being transferred to node ${this.leadTransferee}`);
    const index = this.raftLog.lastIndex() + 1;
    this.appendEntries(commands);
    this.bcastAppend();
    return { index, term: this.term };
  }

  proposeConfChange(cc: ConfChange): { index: number; term: number } {
    if (this.role !== 'leader')
      throw new ProposalDropped(
        `node ${this.id} is not the leader (leader: ${this.lead || 'unknown'})`,
      );
    if (this.pendingConfIndex > this.raftLog.applied) {
      throw new ProposalDropped('a membership change is still in progress; one change at a time');
    }
    const t = this.tracker;
    const member = t.voters.has(cc.nodeId) || t.learners.has(cc.nodeId);
    switch (cc.type) {
      case 'addLearner':
        if (member) throw new ProposalDropped(`node ${cc.nodeId} is already a member`);
        break;
      case 'promote': {
        if (!t.learners.has(cc.nodeId))
          throw new ProposalDropped(`node ${cc.nodeId} is not a learner`);
        const match = t.progress.get(cc.nodeId)?.match ?? 0;
        if (match < this.raftLog.committed) {
          throw new ProposalDropped(
            `learner ${cc.nodeId} has not caught up (match ${match} < commit ${this.raftLog.committed})`,
          );
        }
        break;
      }
      case 'remove':
        if (!member) throw new ProposalDropped(`node ${cc.nodeId} is not a member`);
        if (t.voters.has(cc.nodeId) && t.voters.size === 1)
          throw new ProposalDropped('cannot remove the last voter');
        break;
    }
    const at = this.propose([{ type: 'conf', data: JSON.stringify(cc) }]);
    this.pendingConfIndex = at.index;
    return at;
  }

  /** A linearizable read request from the application of this node. */
  readIndex(context: string): void {
    this.handleReadIndex({ type: 'readIndex', from: this.id, to: this.id, term: 0, context });
  }

  transferLeadership(to: NodeId): void {
    this.handleTransferLeader({ type: 'transferLeader', from: to, to: this.id, term: 0 }, true);
  }

  /**
   * The transport lost its link to `id` (etcd's MsgUnreachable). A leader probes that follower
   * instead of pipelining to it. A follower whose link to its leader dropped (a killed leader's
   * connections close at once) campaigns sooner: see {@link linkDownTicks}.
   */
  reportUnreachable(id: NodeId): void {
    if (this.role === 'follower') {
      if (id !== NONE && id === this.lead && this.config.checkQuorum) this.leaderLost();
      return;
    }
    if (this.role !== 'leader') return;
    const pr = this.tracker.progress.get(id);
    if (pr && pr.state === 'replicate') pr.becomeProbe();
  }

  private leaderLost(): void {
    if (this.leaderLinkDown) return;
    this.leaderLinkDown = true;
    // One slot per voter left, in id order rotated by term, so the survivors do not all
    // campaign at once and split the vote (with PreVote both would win the pre-vote round,
    // then refuse each other the real one and wait a whole randomized timeout again). A slot
    // is long enough for a pre-vote and a vote round on a busy machine.
    const others = [...this.tracker.voters].filter((v) => v !== this.lead).sort((a, b) => a - b);
    const rank = others.indexOf(this.id);
    const slot = rank < 0 ? 0 : (rank + this.term) % others.length;
    this.linkDownTimeout = this.linkDownTicks() + slot * this.linkDownSlotTicks();
  }

  /** A quarter of an election timeout (three ticks of ten), at least one tick. */
  private linkDownSlotTicks(): number {
    return Math.max(1, Math.ceil(this.config.electionTick / 4));
  }

  /**
   * How many ticks after the last message from its leader a follower that saw its link to that
   * leader drop stops honouring the leader's lease (grants votes) and may campaign.
   *
   * Safety (lease reads, cluster/node/lease.ts): a leader serves reads without a round while a
   * quorum answered it within half an election timeout E/2, assuming an answer takes less than
   * E/4 to arrive. Every quorum that elects a new leader shares a voter V with that lease
   * quorum. V resets electionElapsed when it steps the leader's message, before it answers, and
   * a tick is never counted early, so electionElapsed = k means more than (k - 1) ticks of wall
   * time passed since V's answer left. With k ≥ ceil(3E/4) + 1 ticks, V grants its vote (or
   * campaigns) more than 3E/4 after its answer, so after the leader's lease on it ran out
   * (< E/4 + E/2): the new leader exists only once no read can be served on the old lease.
   * The rule counts from the last contact only, never from the link drop, so it holds whatever
   * the signal's cause: a crash, a partition, a fault hook closing connections, or a spurious
   * report. The ordinary path is the same argument with a full election timeout.
   *
   * Protected only so a test-only core can plant the unsafe variant (campaign at once).
   */
  protected linkDownTicks(): number {
    const e = this.config.electionTick;
    return Math.min(e, Math.ceil((3 * e) / 4) + 1);
  }

  /** Ticks without a leader's message after which this follower campaigns. */
  private electionTimeout(): number {
    if (this.role === 'preCandidate' && this.preVoteRetries > 0) return 1;
    // Not the sooner of the two: a later survivor's randomized timeout could otherwise fire
    // inside the first one's campaign and split the vote (seen in 4 of 12 probe kills).
    return this.leaderLinkDown ? this.linkDownTimeout : this.randomizedElectionTimeout;
  }

  /** Whether we still refuse other candidates for the sake of our leader's lease. */
  private inLeaderLease(): boolean {
    if (!this.config.checkQuorum || this.lead === NONE) return false;
    const bound = this.leaderLinkDown ? this.linkDownTicks() : this.config.electionTick;
    return this.electionElapsed < bound;
  }

  /** A message from a peer. */
  step(m: Message): void {
    if (m.term > this.term && m.term !== 0) {
      if (m.type === 'vote' || m.type === 'preVote') {
        // Leader stickiness (thesis §4.2.3): while we hear from a leader, ignore candidates,
        // unless the leader itself asked for the election (leadership transfer).
        if (this.inLeaderLease() && !m.transfer) return;
      }
      if (m.type === 'preVote' || (m.type === 'preVoteResp' && !m.reject)) {
        // A pre-vote (or a grant for one) is about a term nobody has entered yet.
      } else {
        const lead =
          m.type === 'app' || m.type === 'heartbeat' || m.type === 'snap' ? m.from : NONE;
        const elapsed = this.electionElapsed;
        this.becomeFollower(m.term, lead);
        // Figure 2: only a leader's append or a granted vote resets the election timer. Learning
        // a higher term from a candidate we may reject must not, or candidates with stale logs
        // could keep the only electable nodes from ever timing out (without PreVote/CheckQuorum).
        if (m.type === 'vote') this.electionElapsed = elapsed;
      }
    } else if (m.term < this.term && m.term !== 0) {
      if (
        (this.config.checkQuorum || this.config.preVote) &&
        (m.type === 'heartbeat' || m.type === 'app')
      ) {
        // A stale leader (e.g. back from a partition) learns our term from this and steps down;
        // without it, with PreVote, it could keep us from ever electing a new leader.
        this.send({ type: 'appResp', to: m.from, term: this.term });
      } else if (m.type === 'preVote') {
        this.send({ type: 'preVoteResp', to: m.from, term: this.term, reject: true });
      }
      return;
    }

    switch (m.type) {
      case 'vote':
      case 'preVote':
        this.handleVoteRequest(m);
        return;
      case 'transferLeader':
      case 'readIndex':
        if (m.type === 'readIndex') this.handleReadIndex(m);
        else this.handleTransferLeader(m, false);
        return;
    }
    switch (this.role) {
      case 'leader':
        this.stepLeader(m);
        break;
      case 'candidate':
      case 'preCandidate':
        this.stepCandidate(m);
        break;
      case 'follower':
        this.stepFollower(m);
        break;
    }
  }

  private handleVoteRequest(m: Message): void {
    const canVote =
      this.vote === m.from ||
      (this.vote === NONE && this.lead === NONE) ||
      (m.type === 'preVote' && m.term > this.term);
    const respType = m.type === 'vote' ? 'voteResp' : 'preVoteResp';
    if (canVote && this.logIsUpToDate(m.index ?? 0, m.logTerm ?? 0)) {
      // Answer a pre-vote in the candidate's future term, so it can count it.
      this.send({ type: respType, to: m.from, term: m.term });
      if (m.type === 'vote') {
        this.electionElapsed = 0;
        this.vote = m.from;
      }
    } else {
      this.send({ type: respType, to: m.from, term: this.term, reject: true });
    }
  }

  /** §5.4.1 election restriction. Overridden only by a test-only buggy core. */
  protected logIsUpToDate(lastIndex: number, lastTerm: number): boolean {
    return this.raftLog.isUpToDate(lastIndex, lastTerm);
  }

  // ---------------------------------------------------------------- leader

  private stepLeader(m: Message): void {
    const pr = this.tracker.progress.get(m.from);
    if (!pr) return; // not (or no longer) a member
    switch (m.type) {
      case 'appResp':
        pr.recentActive = true;
        this.handleAppendResponse(m, pr);
        break;
      case 'heartbeatResp':
        pr.recentActive = true;
        this.handleHeartbeatResponse(m, pr);
        break;
      case 'snapResp':
        pr.recentActive = true;
        this.handleSnapshotResponse(m, pr);
        break;
      default:
        break;
    }
  }

  private handleAppendResponse(m: Message, pr: Progress): void {
    const index = m.index ?? 0;
    if (m.reject) {
      // Fast backtracking: jump over the follower's whole conflicting term at once.
      let next = m.rejectHint ?? 0;
      if ((m.hintTerm ?? 0) > 0) next = this.raftLog.findConflictByTerm(next, m.hintTerm ?? 0);
      if (pr.maybeDecrTo(index, next)) {
        if (pr.state === 'replicate') pr.becomeProbe();
        this.sendAppend(m.from);
      }
      return;
    }
    const wasPaused = pr.isPaused();
    if (!pr.maybeUpdate(index)) return;
    if (pr.state === 'probe') {
      pr.becomeReplicate();
    } else if (pr.state === 'snapshot' && pr.match >= pr.pendingSnapshot) {
      pr.becomeProbe();
      pr.becomeReplicate();
    } else if (pr.state === 'replicate') {
      pr.inflights.freeLE(index);
    }
    if (this.maybeCommit()) {
      this.onCommitAdvanced();
      this.bcastAppend();
    } else if (wasPaused) {
      this.sendAppend(m.from);
    }
    while (this.maybeSendAppend(m.from, false)) {
      // fill the pipelining window
    }
    if (m.from === this.leadTransferee && pr.match === this.raftLog.lastIndex()) {
      this.send({ type: 'timeoutNow', to: m.from, term: this.term });
    }
  }

  private handleHeartbeatResponse(m: Message, pr: Progress): void {
    pr.probeSent = false;
    if (pr.state === 'snapshot') {
      this.resendStalledChunk(m.from, pr);
    } else {
      // Lost appends could leave the window full forever; free a slot so one probe goes out.
      if (pr.state === 'replicate' && pr.inflights.full()) pr.inflights.freeFirst();
      if (pr.match < this.raftLog.lastIndex()) this.sendAppend(m.from);
    }
    if (m.context === undefined) return;
    const acks = this.readOnly.recvAck(m.from, m.context);
    if (!acks) return;
    let votes = 0;
    for (const id of acks) if (this.tracker.isVoter(id)) votes++;
    if (votes < this.tracker.quorum()) return;
    for (const req of this.readOnly.advance(m.context))
      this.answerRead(req.from, req.index, req.context);
  }

  private answerRead(from: NodeId, index: number, context: string): void {
    if (from === this.id) this.readStates.push({ index, context });
    else this.send({ type: 'readIndexResp', to: from, term: this.term, index, context });
  }

  /** Overridden only by a test-only buggy core that ignores the Figure-8 rule. */
  protected maybeCommit(): boolean {
    return this.raftLog.maybeCommit(this.tracker.committedIndex(), this.term);
  }

  private onCommitAdvanced(): void {
    if (this.pendingReadIndex.length === 0 || !this.committedEntryInCurrentTerm()) return;
    const queued = this.pendingReadIndex;
    this.pendingReadIndex = [];
    for (const m of queued) this.handleReadIndex(m);
  }

  private committedEntryInCurrentTerm(): boolean {
    return this.raftLog.term(this.raftLog.committed) === this.term;
  }

  private appendEntries(commands: readonly { type: EntryType; data: string }[]): void {
    let index = this.raftLog.lastIndex();
    const ents: Entry[] = commands.map((c) => ({
      term: this.term,
      index: ++index,
      type: c.type,
      data: c.data,
    }));
    this.raftLog.append(ents);
    this.tracker.progress.get(this.id)?.maybeUpdate(index);
    if (this.maybeCommit()) this.onCommitAdvanced();
  }

  private bcastAppend(): void {
    for (const id of this.tracker.progress.keys()) if (id !== this.id) this.sendAppend(id);
  }

  private bcastHeartbeat(): void {
    const context = this.readOnly.lastPending();
    for (const [id, pr] of this.tracker.progress) {
      if (id === this.id) continue;
      // A follower may only commit what it is known to hold.
      const commit = Math.min(pr.match, this.raftLog.committed);
      this.send({ type: 'heartbeat', to: id, term: this.term, commit, context });
    }
  }

  private sendAppend(to: NodeId): void {
    this.maybeSendAppend(to, true);
  }

  /** Sends the next batch of entries (or a probe, or a snapshot); false if nothing was sent. */
  private maybeSendAppend(to: NodeId, sendIfEmpty: boolean): boolean {
    const pr = this.tracker.progress.get(to);
    if (!pr || pr.isPaused()) return false;
    const prevIndex = pr.next - 1;
    const prevTerm = this.raftLog.term(prevIndex);
    const ents =
      prevTerm === undefined
        ? undefined
        : this.raftLog.entriesFrom(
            pr.next,
            this.config.maxEntriesPerMsg,
            this.config.maxBytesPerMsg,
          );
    if (prevTerm === undefined || ents === undefined) return this.startSnapshot(to, pr);
    if (ents.length === 0 && !sendIfEmpty) return false;
    this.send({
      type: 'app',
      to,
      term: this.term,
      index: prevIndex,
      logTerm: prevTerm,
      entries: ents,
      commit: this.raftLog.committed,
    });
    pr.sentEntries(ents.length, prevIndex + ents.length);
    return true;
  }

  private startSnapshot(to: NodeId, pr: Progress): boolean {
    // A follower we have not heard from may be down; don't stream a snapshot into the void.
    if (!pr.recentActive) return false;
    const snap = this.raftLog.snapshot();
    if (snap.metadata.index === 0) throw new Error('log is compacted but there is no snapshot');
    pr.becomeSnapshot(snap);
    this.sendChunk(to, pr);
    return true;
  }

  private sendChunk(to: NodeId, pr: Progress): void {
    const t = pr.transfer;
    if (!t) return;
    const { data, metadata } = t.snapshot;
    const chunk = data.slice(t.acked, t.acked + this.config.snapshotChunkSize);
    this.send({
      type: 'snap',
      to,
      term: this.term,
      snapshot: { metadata, offset: t.acked, data: chunk, total: data.length },
    });
    t.outstanding = true;
    t.unansweredBeats = 0;
  }

  private handleSnapshotResponse(m: Message, pr: Progress): void {
    const t = pr.transfer;
    if (pr.state !== 'snapshot' || !t) return;
    const { index, term } = t.snapshot.metadata;
    if (m.snapshotIndex !== index || m.snapshotTerm !== term) return; // about another transfer
    const offset = Math.min(m.index ?? 0, t.snapshot.data.length);
    if (m.reject) {
      // The receiver lost what it had (it restarted): go back to where it says it is.
      t.acked = offset;
    } else if (offset > t.acked) {
      t.acked = offset;
    } else {
      // Within one transfer the receiver's offset only grows, so a lower or equal one is a
      // duplicate or a late answer: ignoring it keeps duplicates from multiplying chunks.
      return;
    }
    t.outstanding = false;
    if (t.acked < t.snapshot.data.length || t.snapshot.data.length === 0)
      this.sendChunk(m.from, pr);
  }

  private resendStalledChunk(to: NodeId, pr: Progress): void {
    const t = pr.transfer;
    if (!t || !t.outstanding) return;
    // Two heartbeats answered and still no answer to the chunk: it was lost.
    if (++t.unansweredBeats >= 2) this.sendChunk(to, pr);
  }

  private checkQuorum(): void {
    if (!this.tracker.quorumActive(this.id)) {
      this.becomeFollower(this.term, NONE);
      return;
    }
    for (const [id, pr] of this.tracker.progress) if (id !== this.id) pr.recentActive = false;
  }

  /** The transferee travels in `from` (as in etcd), so a forwarded request keeps it. */
  private handleTransferLeader(m: Message, local: boolean): void {
    if (this.role !== 'leader') {
      // Only our own application's requests are forwarded, so a request never loops.
      if (local && this.lead !== NONE) this.send({ ...m, to: this.lead });
      return;
    }
    const transferee = m.from;
    if (!this.tracker.isVoter(transferee) || transferee === this.id) return;
    if (this.leadTransferee === transferee) return;
    this.leadTransferee = transferee;
    this.electionElapsed = 0; // the transfer must finish within one election timeout
    const pr = this.tracker.progress.get(transferee)!;
    if (pr.match === this.raftLog.lastIndex()) {
      this.send({ type: 'timeoutNow', to: transferee, term: this.term });
    } else {
      this.sendAppend(transferee);
    }
  }

  private handleReadIndex(m: Message): void {
    const context = m.context ?? '';
    if (this.role !== 'leader') {
      // Only requests from our own application are forwarded, so a request never loops.
      if (m.from === this.id && this.lead !== NONE && this.role === 'follower') {
        this.send({ type: 'readIndex', to: this.lead, term: 0, context });
      }
      return;
    }
    if (this.tracker.voters.size === 1 && this.tracker.isVoter(this.id)) {
      this.answerRead(m.from, this.raftLog.committed, context);
      return;
    }
    // Until this leader commits an entry of its own term, its commit index may be behind the
    // true one (thesis §6.4 step 1), so the read waits.
    if (!this.committedEntryInCurrentTerm()) {
      this.pendingReadIndex.push(m);
      return;
    }
    this.readOnly.add(this.raftLog.committed, context, m.from);
    this.readOnly.recvAck(this.id, context);
    this.bcastHeartbeat();
  }

  // ---------------------------------------------------------------- candidate

  private stepCandidate(m: Message): void {
    switch (m.type) {
      case 'app':
      case 'heartbeat':
      case 'snap':
        // A leader of our term exists: it won.
        this.becomeFollower(m.term, m.from);
        this.stepFollower(m);
        break;
      case 'voteResp':
      case 'preVoteResp': {
        const mine = this.role === 'candidate' ? 'voteResp' : 'preVoteResp';
        if (m.type !== mine) return;
        this.tracker.recordVote(m.from, !m.reject);
        const result = this.tracker.tallyVotes();
        if (result === 'won') {
          if (this.role === 'preCandidate') this.campaign('real');
          else {
            this.becomeLeader();
            this.bcastAppend();
          }
        } else if (result === 'lost') {
          this.becomeFollower(this.term, NONE);
        }
        break;
      }
      default:
        break;
    }
  }

  // ---------------------------------------------------------------- follower

  private stepFollower(m: Message): void {
    switch (m.type) {
      case 'app':
        this.heardFromLeader(m.from);
        this.handleAppend(m);
        break;
      case 'heartbeat':
        this.heardFromLeader(m.from);
        this.raftLog.commitTo(Math.min(m.commit ?? 0, this.raftLog.lastIndex()));
        this.send({ type: 'heartbeatResp', to: m.from, term: this.term, context: m.context });
        break;
      case 'snap':
        this.heardFromLeader(m.from);
        this.handleSnapshotChunk(m);
        break;
      case 'timeoutNow':
        // Our leader hands over: campaign at once, skipping PreVote and the others' lease.
        this.hup('transfer');
        break;
      case 'readIndexResp':
        this.readStates.push({ index: m.index ?? 0, context: m.context ?? '' });
        break;
      default:
        break;
    }
  }

  /** A message from the leader of our term: the election timer and any link drop start over. */
  private heardFromLeader(from: NodeId): void {
    this.electionElapsed = 0;
    this.lead = from;
    this.leaderLinkDown = false;
  }

  private handleAppend(m: Message): void {
    const prevIndex = m.index ?? 0;
    if (prevIndex < this.raftLog.committed) {
      this.send({ type: 'appResp', to: m.from, term: this.term, index: this.raftLog.committed });
      return;
    }
    const lastNew = this.raftLog.maybeAppend(
      prevIndex,
      m.logTerm ?? 0,
      m.commit ?? 0,
      m.entries ?? [],
    );
    if (lastNew >= 0) {
      this.send({ type: 'appResp', to: m.from, term: this.term, index: lastNew });
      return;
    }
    // Tell the leader where our log might match: our last index with a term ≤ its prevTerm.
    const hint = this.raftLog.findConflictByTerm(
      Math.min(prevIndex, this.raftLog.lastIndex()),
      m.logTerm ?? 0,
    );
    this.send({
      type: 'appResp',
      to: m.from,
      term: this.term,
      index: prevIndex,
      reject: true,
      rejectHint: hint,
      hintTerm: this.raftLog.term(hint) ?? 0,
    });
  }

  private handleSnapshotChunk(m: Message): void {
    const chunk = m.snapshot;
    if (!chunk) return;
    const { metadata } = chunk;
    if (metadata.index <= this.raftLog.committed) {
      this.incoming = undefined;
      this.send({ type: 'appResp', to: m.from, term: this.term, index: this.raftLog.committed });
      return;
    }
    const answer = (received: number, reject?: boolean): void =>
      this.send({
        type: 'snapResp',
        to: m.from,
        term: this.term,
        index: received,
        snapshotIndex: metadata.index,
        snapshotTerm: metadata.term,
        ...(reject ? { reject: true } : {}),
      });
    let inc = this.incoming;
    const sameTransfer =
      inc !== undefined &&
      inc.index === metadata.index &&
      inc.term === metadata.term &&
      inc.from === m.from &&
      inc.leaderTerm === m.term;
    if (!sameTransfer) {
      if (chunk.offset !== 0) {
        // We don't have the beginning (we restarted, or the leader switched snapshots).
        answer(0, true);
        return;
      }
      inc = this.incoming = {
        index: metadata.index,
        term: metadata.term,
        from: m.from,
        leaderTerm: m.term,
        parts: [],
        received: 0,
      };
    }
    if (!inc || chunk.offset !== inc.received) {
      // A duplicate (a late copy of chunk 0 included) or a gap: say where we are.
      answer(inc?.received ?? 0);
      return;
    }
    inc.parts.push(chunk.data);
    inc.received += chunk.data.length;
    if (inc.received < chunk.total) {
      answer(inc.received);
      return;
    }
    this.incoming = undefined;
    const snap: Snapshot = { metadata, data: inc.parts.join('') };
    const index = this.restore(snap) ? this.raftLog.lastIndex() : this.raftLog.committed;
    this.send({ type: 'appResp', to: m.from, term: this.term, index });
  }

  private restore(snap: Snapshot): boolean {
    const { index, term, conf } = snap.metadata;
    if (index <= this.raftLog.committed) return false;
    if (this.raftLog.matchTerm(index, term)) {
      // We already hold this prefix: only the commit index moves.
      this.raftLog.commitTo(index);
      return false;
    }
    this.raftLog.restore(snap);
    this.tracker.setConf(conf, this.raftLog.lastIndex() + 1);
    return true;
  }

  // ---------------------------------------------------------------- membership

  /** Called when a committed conf entry is applied (RawNode.advance). */
  applyConfChange(cc: ConfChange): void {
    const { voters, learners } = this.tracker.confState();
    const v = new Set(voters);
    const l = new Set(learners);
    switch (cc.type) {
      case 'addLearner':
        if (!v.has(cc.nodeId)) l.add(cc.nodeId);
        break;
      case 'promote':
        if (l.delete(cc.nodeId)) v.add(cc.nodeId);
        break;
      case 'remove':
        v.delete(cc.nodeId);
        l.delete(cc.nodeId);
        break;
    }
    const conf: ConfState = { voters: [...v], learners: [...l] };
    this.tracker.setConf(conf, this.raftLog.lastIndex() + 1);
    if (this.role !== 'leader') return;
    if (!v.has(this.id)) {
      this.stepDownAfterRemoval();
      return;
    }
    if (this.leadTransferee !== NONE && !v.has(this.leadTransferee)) this.leadTransferee = NONE;
    // The quorum changed: something may be committable now, and new members need the log.
    if (this.maybeCommit()) this.onCommitAdvanced();
    this.bcastAppend();
  }

  /** A removed leader hands over to its most up-to-date voter instead of leaving a gap. */
  private stepDownAfterRemoval(): void {
    let best: NodeId = NONE;
    let bestMatch = -1;
    for (const id of this.tracker.voters) {
      const match = this.tracker.progress.get(id)?.match ?? 0;
      if (match > bestMatch) {
        best = id;
        bestMatch = match;
      }
    }
    this.bcastAppend(); // let the others learn that the removal is committed
    if (best !== NONE && bestMatch === this.raftLog.lastIndex()) {
      this.send({ type: 'timeoutNow', to: best, term: this.term });
    }
    this.becomeFollower(this.term, NONE);
  }

  // ---------------------------------------------------------------- output

  private send(m: Outgoing): void {
    this.msgs.push(
      m.from === undefined || m.from === NONE ? { ...m, from: this.id } : (m as Message),
    );
  }

  status(): Status {
    const snap = this.raftLog.snapshot();
    return {
      id: this.id,
      role: this.role,
      isLearner: this.tracker.learners.has(this.id),
      term: this.term,
      vote: this.vote,
      leader: this.lead,
      commit: this.raftLog.committed,
      applied: this.raftLog.applied,
      firstIndex: this.raftLog.firstIndex(),
      lastIndex: this.raftLog.lastIndex(),
      snapshotIndex: snap.metadata.index,
      conf: this.tracker.confState(),
      electionElapsed: this.electionElapsed,
      electionTimeout: this.role === 'leader' ? this.config.electionTick : this.electionTimeout(),
      leadTransferee: this.leadTransferee,
      progress: this.role === 'leader' ? this.tracker.status(this.id) : [],
    };
  }
}
