/**
 * The app's cluster: one Supervisor at a time, started from the settings, in the main process
 * (the nodes are separate processes anyway, so a node crash never takes the window down). It
 * keeps the start-up state the start-up view shows, forwards every ClusterEvent, and on quit
 * stops every node and managed MySQL before the app exits.
 *
 * A Supervisor starts once, so "retry" after a failure builds a new one from the saved settings.
 * No Electron here: the supervisor factory is injectable and tested with a fake.
 */
import path from 'node:path';
import type { AppSettings, StartupState } from '../cluster/api/bridge.js';
import type { ClusterEvent } from '../cluster/api/control.js';
import type { EventBus } from '../cluster/supervisor/events.js';
import { Supervisor, type SupervisorOptions } from '../cluster/supervisor/supervisor.js';
import type { HostSupervisor } from './host.js';

/** What the runner needs of a Supervisor. */
export type RunnerSupervisor = HostSupervisor & {
  readonly events: Pick<EventBus, 'subscribe' | 'recent'>;
  start(): Promise<void>;
  shutdown(): Promise<void>;
};

export interface RunnerOptions {
  /** The settings to start with (read again at every start: retry uses what was saved). */
  readonly settings: () => AppSettings;
  /** `<user data>/cluster`, used when the settings name no data dir. */
  readonly defaultDataDir: string;
  readonly settingsFile: string;
  readonly settingsProblem?: () => string | undefined;
  /** Runtime of the node processes: Electron itself with ELECTRON_RUN_AS_NODE=1. */
  readonly execPath?: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onState: (state: StartupState) => void;
  readonly onEvent: (event: ClusterEvent) => void;
  readonly createSupervisor?: (opts: SupervisorOptions) => RunnerSupervisor;
}

export function supervisorOptions(
  s: AppSettings,
  defaultDataDir: string,
  runtime: Pick<RunnerOptions, 'execPath' | 'env'>,
): SupervisorOptions {
  return {
    dataDir: path.resolve(s.dataDir ?? defaultDataDir),
    nodes: s.nodes,
    mysqlMode: s.mysql.mode,
    mysqlUrls: s.mysql.urls,
    slow: s.slow,
    timers: s.timers,
    ...(runtime.execPath === undefined ? {} : { execPath: runtime.execPath }),
    ...(runtime.env === undefined ? {} : { env: runtime.env }),
  };
}

export class ClusterRunner {
  private current: RunnerSupervisor | undefined;
  private unsubscribe: (() => void) | undefined;
  private startup: StartupState;
  private running: Promise<void> | undefined;
  private stopping: Promise<void> | undefined;

  constructor(private readonly opts: RunnerOptions) {
    this.startup = this.stateFor('starting');
  }

  get state(): StartupState {
    return this.startup;
  }

  /** The supervisor once the cluster accepts writes (undefined before, and after a failure). */
  get supervisor(): RunnerSupervisor | undefined {
    return this.startup.phase === 'ready' ? this.current : undefined;
  }

  /**
   * What a page that subscribes gets first (as the control API's WebSocket does): the recent
   * events of the supervisor being started or running (the start-up view's progress), then a
   * status snapshot.
   */
  replay(): ClusterEvent[] {
    const s = this.current;
    if (s === undefined) return [];
    let cluster;
    try {
      cluster = s.status();
    } catch {
      return [...s.events.recent()];
    }
    const snapshot: ClusterEvent = {
      type: 'status',
      seq: 0,
      at: new Date().toISOString(),
      cluster,
    };
    return [...s.events.recent(), snapshot];
  }

  private stateFor(phase: StartupState['phase'], error?: string): StartupState {
    const problem = this.opts.settingsProblem?.();
    return {
      phase,
      dataDir: path.resolve(this.opts.settings().dataDir ?? this.opts.defaultDataDir),
      settingsFile: this.opts.settingsFile,
      ...(error === undefined ? {} : { error }),
      ...(problem === undefined ? {} : { settingsProblem: problem }),
    };
  }

  private setState(phase: StartupState['phase'], error?: string): void {
    this.startup = this.stateFor(phase, error);
    this.opts.onState(this.startup);
  }

  /** Starts a cluster from the current settings; resolves when it is ready or has failed. */
  start(): Promise<void> {
    if (this.stopping !== undefined) return Promise.resolve();
    if (this.running !== undefined) return this.running;
    this.running = this.run().finally(() => {
      this.running = undefined;
    });
    return this.running;
  }

  private async run(): Promise<void> {
    this.setState('starting');
    let supervisor: RunnerSupervisor;
    try {
      const options = supervisorOptions(this.opts.settings(), this.opts.defaultDataDir, this.opts);
      supervisor = (this.opts.createSupervisor ?? ((o) => new Supervisor(o)))(options);
    } catch (e) {
      this.setState('failed', (e as Error).message);
      return;
    }
    this.current = supervisor;
    this.unsubscribe = supervisor.events.subscribe((e) => this.opts.onEvent(e));
    try {
      await supervisor.start();
    } catch (e) {
      // start() has already stopped whatever it started.
      if (this.stopping === undefined) this.setState('failed', (e as Error).message);
      return;
    }
    if (this.stopping === undefined) this.setState('ready');
  }

  /** After a failure: a new Supervisor from the saved settings. */
  retry(): Promise<void> {
    if (this.startup.phase !== 'failed') return Promise.resolve();
    this.unsubscribe?.();
    this.current = undefined;
    return this.start();
  }

  /** Stops every node and managed MySQL; safe to call more than once. */
  shutdown(): Promise<void> {
    this.stopping ??= (async () => {
      this.setState('stopping');
      // A start in progress notices the shutdown, cleans up and rejects; shutdown() waits for it.
      await this.current?.shutdown();
      await this.running;
      this.unsubscribe?.();
    })();
    return this.stopping;
  }
}
