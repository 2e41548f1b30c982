/** The app's cluster lifecycle with a fake supervisor: phases, failure and retry, quit. */
import { describe, expect, it } from 'vitest';
import type { StartupState } from '../../cluster/api/bridge.js';
import type { ClusterEvent } from '../../cluster/api/control.js';
import { EventBus } from '../../cluster/supervisor/events.js';
import type { SupervisorOptions } from '../../cluster/supervisor/supervisor.js';
import { ClusterRunner, supervisorOptions, type RunnerSupervisor } from '../../electron/runner.js';
import { DEFAULT_SETTINGS } from '../../electron/settings.js';

interface Fake extends RunnerSupervisor {
  readonly opts: SupervisorOptions;
  readonly bus: EventBus;
  finishStart(error?: Error): void;
  shutdowns: number;
}

function fakeFactory() {
  const made: Fake[] = [];
  const create = (opts: SupervisorOptions): RunnerSupervisor => {
    const bus = new EventBus();
    let settle: (e?: Error) => void = () => undefined;
    const started = new Promise<void>((resolve, reject) => {
      settle = (e) => (e === undefined ? resolve() : reject(e));
    });
    const fake = {
      opts,
      bus,
      events: bus,
      token: 'x'.repeat(16),
      shutdowns: 0,
      status: () => ({ leaderId: 0, term: 0, nodes: [] }) as never,
      start: () => {
        bus.emit({ type: 'progress', message: 'n1 mysql: ready' });
        return started;
      },
      finishStart: (e?: Error) => settle(e),
      shutdown: async () => {
        fake.shutdowns += 1;
        settle(new Error('start-up cancelled (shutting down)'));
      },
    } as unknown as Fake;
    made.push(fake);
    return fake;
  };
  return { made, create };
}

function setup() {
  const { made, create } = fakeFactory();
  const states: StartupState['phase'][] = [];
  const events: ClusterEvent[] = [];
  let settings = { ...DEFAULT_SETTINGS, nodes: 5, slow: 2 };
  const runner = new ClusterRunner({
    settings: () => settings,
    defaultDataDir: '/home/u/.config/Raftboard/cluster',
    settingsFile: '/home/u/.config/Raftboard/settings.json',
    execPath: '/opt/electron/electron',
    env: { ELECTRON_RUN_AS_NODE: '1' },
    onState: (s) => states.push(s.phase),
    onEvent: (e) => events.push(e),
    createSupervisor: create,
  });
  return { runner, made, states, events, setSettings: (s: typeof settings) => (settings = s) };
}

const flush = () => new Promise((r) => setImmediate(r));

describe('ClusterRunner', () => {
  it('starts a supervisor from the settings and is ready when it is', async () => {
    const { runner, made, states, events } = setup();
    const done = runner.start();
    await flush();
    expect(made[0].opts).toMatchObject({
      dataDir: '/home/u/.config/Raftboard/cluster',
      nodes: 5,
      slow: 2,
      mysqlMode: 'managed',
      execPath: '/opt/electron/electron',
      env: { ELECTRON_RUN_AS_NODE: '1' },
    });
    expect(runner.supervisor).toBeUndefined(); // not before it accepts writes
    expect(events.map((e) => e.type)).toEqual(['progress']);
    expect(runner.replay().map((e) => e.type)).toEqual(['progress', 'status']);
    made[0].finishStart();
    await done;
    expect(states).toEqual(['starting', 'ready']);
    expect(runner.supervisor).toBe(made[0]);
  });

  it('a failed start says why; retry builds a new supervisor from the saved settings', async () => {
    const { runner, made, states, setSettings } = setup();
    const first = runner.start();
    await flush();
    made[0].finishStart(new Error('mariadbd not found'));
    await first;
    expect(runner.state).toMatchObject({ phase: 'failed', error: 'mariadbd not found' });
    setSettings({
      ...DEFAULT_SETTINGS,
      mysql: { mode: 'external', urls: ['mysql://r@h/db_{node}'] },
    });
    const second = runner.retry();
    await flush();
    expect(made).toHaveLength(2);
    expect(made[1].opts.mysqlMode).toBe('external');
    made[1].finishStart();
    await second;
    expect(states).toEqual(['starting', 'failed', 'starting', 'ready']);
  });

  it('retry does nothing unless the start failed', async () => {
    const { runner, made } = setup();
    void runner.start();
    await flush();
    await runner.retry();
    expect(made).toHaveLength(1);
  });

  it('quitting while starting stops the supervisor and waits for it; never "failed"', async () => {
    const { runner, made, states } = setup();
    void runner.start();
    await flush();
    await runner.shutdown();
    await runner.shutdown();
    expect(made[0].shutdowns).toBe(1);
    expect(states).toEqual(['starting', 'stopping']);
    await runner.start(); // no new cluster once quitting
    expect(made).toHaveLength(1);
  });

  it('an invalid configuration fails the start without a supervisor', async () => {
    const { runner } = setup();
    const bad = new ClusterRunner({
      settings: () => DEFAULT_SETTINGS,
      defaultDataDir: '/d',
      settingsFile: '/s',
      onState: () => undefined,
      onEvent: () => undefined,
      createSupervisor: () => {
        throw new Error('the token must be at least 16 characters');
      },
    });
    await bad.start();
    expect(bad.state).toMatchObject({ phase: 'failed', error: /token/ });
    expect(runner.state.phase).toBe('starting');
  });

  it('supervisorOptions takes every setting', () => {
    const s = {
      ...DEFAULT_SETTINGS,
      dataDir: '/data/rb',
      timers: { tickMs: 20, electionTicks: 12, heartbeatTicks: 3 },
    };
    expect(supervisorOptions(s, '/default', {})).toEqual({
      dataDir: '/data/rb',
      nodes: 3,
      mysqlMode: 'managed',
      mysqlUrls: [],
      slow: 1,
      timers: { tickMs: 20, electionTicks: 12, heartbeatTicks: 3 },
    });
  });
});
