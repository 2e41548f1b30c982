/**
 * The lesson engine without React: each lesson runs from its first step to its last against a
 * toy cluster that reacts like Raft; conditions wait for the statuses that show them; actions
 * reach the cluster with the node ids observed; leaving or finishing puts the cluster back.
 */
import { describe, expect, it } from 'vitest';
import type { ClusterStatus } from '../../cluster/api/control.js';
import { LESSONS } from '../../renderer/src/lessons/catalog/index.js';
import { crashLesson } from '../../renderer/src/lessons/catalog/crash.js';
import { electionLesson } from '../../renderer/src/lessons/catalog/election.js';
import { partitionLesson } from '../../renderer/src/lessons/catalog/partition.js';
import { replicationLesson } from '../../renderer/src/lessons/catalog/replication.js';
import { createLessonRunner } from '../../renderer/src/lessons/runner.js';
import { makeCluster, makeNode, noQuorum } from './fake-api.js';
import { ModelCluster } from './lessons-model.js';

function setup(model = new ModelCluster()) {
  const runner = createLessonRunner({
    api: model,
    getStatus: () => model.latest,
    subscribeStatus: (fn) => {
      model.listeners.add(fn);
      return () => model.listeners.delete(fn);
    },
    ops: { sleep: () => Promise.resolve() },
  });
  return { model, runner, s: () => runner.getState() };
}

type Setup = ReturnType<typeof setup>;

/** Plays the lesson like a user: act when asked, push the status, Next when done, Finish. */
async function playToEnd({ model, runner, s }: Setup): Promise<string[]> {
  const texts: string[] = [];
  for (let guard = 0; guard < 40 && !s().finished; guard++) {
    const st = s();
    const step = st.lesson?.steps[st.current];
    if (step === undefined) throw new Error('no step');
    if (st.phase === 'failed') throw new Error(`step ${step.id} failed: ${st.error}`);
    if (st.phase === 'ready') {
      texts.push(step.intro(st.facts), step.action?.label(st.facts) ?? '');
      await st.act();
    } else if (st.phase === 'waiting') {
      texts.push(step.until?.waitingFor(st.facts) ?? '');
      model.push();
      if (s().phase === 'waiting') throw new Error(`step ${step.id} still waits after the status`);
    } else if (st.phase === 'done') {
      texts.push(step.outcome(st.facts));
      if (st.current === (st.lesson?.steps.length ?? 0) - 1) await st.finish();
      else st.next();
    }
  }
  expect(s().finished).toBe(true);
  runner.dispose();
  return texts;
}

describe('every lesson', () => {
  it.each(LESSONS.map((l) => [l.title, l] as const))(
    '“%s” runs to its end and leaves every node running, the network healed',
    async (_title, lesson) => {
      const t = setup();
      t.runner.getState().start(lesson);
      const texts = await playToEnd(t);
      expect(texts.length).toBeGreaterThan(lesson.steps.length);
      for (const text of texts) expect(text).not.toMatch(/undefined|NaN|\$\{|\[object/);
      const end = t.model.snapshot();
      expect(end.nodes.map((n) => n.status)).toEqual(['running', 'running', 'running']);
      expect(end.network.partitions).toEqual([]);
    },
  );

  it('has at least four lessons, each with unique step ids and a paper reference', () => {
    expect(LESSONS.length).toBeGreaterThanOrEqual(4);
    for (const l of LESSONS) {
      const ids = l.steps.map((s) => s.id);
      expect(new Set(ids).size, l.id).toBe(ids.length);
      expect(
        l.steps.some((s) => s.paper !== undefined),
        l.id,
      ).toBe(true);
    }
  });
});

describe('conditions over status sequences', () => {
  it('election: waits through a leaderless and a candidate status, then names the new leader and term', async () => {
    const model = new ModelCluster();
    const { runner, s } = setup(model);
    runner.getState().start(electionLesson);
    // The status the window had: node 1 leads term 3, everyone follows.
    expect(s().phase).toBe('done');
    expect(s().facts).toMatchObject({ leader: 1, term: 3 });
    s().next();
    expect(s().phase).toBe('ready');
    expect(electionLesson.steps[1]?.action?.label(s().facts)).toBe('Pause node 1');

    // Statuses on the way: no leader yet, then node 3 a candidate, then node 3 leads term 5.
    const paused = makeNode(1, { status: 'paused', role: 'leader', term: 3 });
    const seq: ClusterStatus[] = [
      makeCluster({ leaderId: 0, nodes: [paused, makeNode(2), makeNode(3)] }),
      makeCluster({
        leaderId: 0,
        nodes: [paused, makeNode(2), makeNode(3, { role: 'candidate', term: 5 })],
      }),
      makeCluster({
        leaderId: 3,
        nodes: [
          paused,
          makeNode(2, { term: 5, leaderId: 3 }),
          makeNode(3, { role: 'leader', term: 5, leaderId: 3 }),
        ],
      }),
    ];
    model.nodeAction = async (id, action) => {
      model.calls.push({ method: 'nodeAction', args: [id, action] });
      return { ok: true, action, message: 'paused' };
    };
    await s().act();
    expect(model.callsOf('nodeAction').map((c) => c.args)).toEqual([[1, 'pause']]);
    expect(s().phase).toBe('waiting');
    for (const status of seq.slice(0, 2)) {
      for (const fn of model.listeners) fn(status);
      expect(s().phase).toBe('waiting');
    }
    for (const fn of model.listeners) fn(seq[2] as ClusterStatus);
    expect(s().phase).toBe('done');
    expect(s().facts).toMatchObject({ newLeader: 3, newTerm: 5 });
    expect(electionLesson.steps[1]?.outcome(s().facts)).toMatch(/^Node 3 won term 5/);
  });

  it('a deposed leader of an older term does not count as the new leader', async () => {
    const { model, runner, s } = setup();
    runner.getState().start(partitionLesson);
    s().next();
    model.setNetwork = async (body) => {
      model.calls.push({ method: 'setNetwork', args: [body] });
      return { ok: true, action: 'network', message: 'set' };
    };
    await s().act();
    expect(model.callsOf('setNetwork')[0]?.args).toEqual([{ partitions: [[2, 3], [1]] }]);
    // Node 1 still says leader of term 3 and nobody else leads yet: keep waiting.
    for (const fn of model.listeners) fn(makeCluster());
    expect(s().phase).toBe('waiting');
    // Node 2 leads term 4 while node 1 still calls itself leader of term 3: the newer term wins.
    const both = makeCluster({
      nodes: [
        makeNode(1, { role: 'leader', term: 3 }),
        makeNode(2, { role: 'leader', term: 4, leaderId: 2 }),
        makeNode(3, { term: 4, leaderId: 2 }),
      ],
    });
    for (const fn of model.listeners) fn(both);
    expect(s().facts).toMatchObject({ newLeader: 2, newTerm: 4 });
    s().next();
    expect(s().phase).toBe('waiting'); // node 1 still calls itself leader
  });

  it('replication: learns the index the write committed at and waits for every running node', async () => {
    const model = new ModelCluster();
    model.writeFailures.push(noQuorum(), noQuorum());
    const { runner, s } = setup(model);
    runner.getState().start(replicationLesson);
    s().next();
    await s().act();
    const creates = model.callsOf('createTask');
    expect(creates).toHaveLength(3);
    const keys = creates.map((c) => (c.args[1] as { idempotencyKey: string }).idempotencyKey);
    expect(new Set(keys).size).toBe(1); // one key for every retry
    expect(s().facts['write1']).toBe(41);
    expect(s().phase).toBe('waiting'); // the window has not seen index 41 yet
    model.push();
    expect(s().phase).toBe('done');
    expect(replicationLesson.steps[1]?.outcome(s().facts)).toContain('entry 41 of term 3');
  });
});

describe('texts follow the cluster’s size', () => {
  it('a 5-voter cluster needs 3 of 5, and the crash lesson says 4 of 5 are left', async () => {
    const voters = [1, 2, 3, 4, 5];
    const five = makeCluster({
      nodes: voters.map((id) => makeNode(id, { voters, leaderId: 1 })),
    });
    const model = new ModelCluster();
    model.latest = five;
    const { runner, s } = setup(model);
    runner.getState().start(crashLesson);
    expect(s().facts).toMatchObject({ leader: 1, voters: 5 });
    expect(crashLesson.steps[3]?.intro({ ...s().facts })).toContain(
      '4 of 5 nodes are left: still a majority (3 of 5 needed)',
    );
    expect(electionLesson.steps[1]?.outcome({ ...s().facts, newLeader: 2, newTerm: 4 })).toContain(
      '(itself included, 3 of 5)',
    );
  });
});

describe('actions, failures and navigation', () => {
  it('a failed action says why and can be tried again', async () => {
    const { model, runner, s } = setup();
    runner.getState().start(crashLesson);
    s().next();
    model.writeFailures.push(
      Object.assign(noQuorum(), { status: 400, code: 'invalid_input', message: 'title is bad' }),
    );
    await s().act();
    expect(s().phase).toBe('failed');
    expect(s().error).toBe('title is bad');
    await s().act();
    expect(s().phase).toBe('waiting');
    expect(s().error).toBeNull();
  });

  it('Back shows an earlier step with its own facts; only the live step acts', async () => {
    const { model, runner, s } = setup();
    runner.getState().start(electionLesson);
    s().next();
    await s().act();
    model.push();
    expect(s().current).toBe(1);
    s().back();
    expect(s().viewing).toBe(0);
    expect(s().factsAt[0]).toEqual({ leader: 1, term: 3, commit: 40, last: 40, voters: 3 });
    await s().act(); // not the live step: nothing happens
    expect(model.callsOf('nodeAction')).toHaveLength(1);
    s().next();
    expect(s().viewing).toBe(1);
    expect(s().current).toBe(1);
  });

  it('leaving mid-lesson resumes, starts and heals what the lesson changed, and nothing else', async () => {
    const model = new ModelCluster();
    model.nodes[2]!.status = 'paused'; // the user paused node 3 before: not the lesson's to undo
    model.settle();
    model.push();
    const { runner, s } = setup(model);
    runner.getState().start(crashLesson);
    s().next();
    await s().act();
    model.push();
    s().next();
    await s().act(); // kills node 1
    expect(model.callsOf('nodeAction').map((c) => c.args)).toEqual([[1, 'kill']]);
    await s().leave();
    expect(model.callsOf('nodeAction').map((c) => c.args)).toEqual([
      [1, 'kill'],
      [1, 'start'],
    ]);
    expect(s().lesson).toBeNull();
    expect(s().cleanupNotes).toEqual(['started node 1']);
    expect(model.snapshot().nodes.map((n) => n.status)).toEqual(['running', 'running', 'paused']);

    runner.getState().start(partitionLesson);
    s().next();
    await s().act();
    await s().restart();
    expect(model.callsOf('healNetwork')).toHaveLength(1);
    expect(s().current).toBe(0);
    expect(s().lesson).toBe(partitionLesson);
  });

  it('leaving while an action runs waits for it, then undoes it; its result lands nowhere', async () => {
    const { model, runner, s } = setup();
    runner.getState().start(electionLesson);
    s().next();
    let release: () => void = () => undefined;
    const real = model.nodeAction.bind(model);
    model.nodeAction = (id, action) =>
      action === 'pause'
        ? new Promise((resolve) => {
            release = () => resolve(real(id, action));
          })
        : real(id, action);
    const acting = s().act();
    expect(s().phase).toBe('acting');
    const leaving = s().leave();
    expect(s().lesson).toBeNull();
    release();
    await Promise.all([acting, leaving]);
    expect(model.callsOf('nodeAction').map((c) => c.args)).toEqual([
      [1, 'pause'],
      [1, 'resume'],
    ]);
    expect(model.snapshot().nodes.map((n) => n.status)).toEqual(['running', 'running', 'running']);
    expect(s().lesson).toBeNull();
    expect(s().phase).toBe('ready');
    expect(s().cleanupNotes).toEqual(['resumed node 1']);
  });
});
