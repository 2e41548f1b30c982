// @vitest-environment jsdom
/**
 * The start-up view as the window shows it: electron/startup/startup.html with its script
 * (page.ts), in jsdom, with a fake preload bridge. It draws the per-node progress, the failure
 * with "Try again", and saves settings through the shell.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeAll, describe, expect, it } from 'vitest';
import type {
  AppSettings,
  BridgeEventHandlers,
  BridgeResult,
  StartupState,
} from '../../cluster/api/bridge.js';
import type { ClusterEvent } from '../../cluster/api/control.js';
import { DEFAULT_SETTINGS } from '../../electron/settings.js';

const HTML = path.resolve(
  path.dirname(fileURLToPath(import.meta.url)),
  '../../electron/startup/startup.html',
);

const at = '2025-01-01T00:00:00.000Z';
let handlers: BridgeEventHandlers | undefined;
let onStartup: ((s: StartupState) => void) | undefined;
const saved: AppSettings[] = [];
let retries = 0;
const state = (phase: StartupState['phase'], error?: string): StartupState => ({
  phase,
  dataDir: '/home/u/.config/Raftboard/cluster',
  settingsFile: '/home/u/.config/Raftboard/settings.json',
  ...(error === undefined ? {} : { error }),
});
const ok = <T>(value: T): Promise<BridgeResult<T>> => Promise.resolve({ ok: true, value });
const flush = () => new Promise((r) => setTimeout(r, 0));

/** The DOM members used here (the Node tsconfig has no DOM types; jsdom provides them at run time). */
interface TestEl {
  textContent: string | null;
  hidden: boolean;
  value: string;
  innerHTML: string;
  readonly children: ArrayLike<TestEl>;
  click(): void;
  requestSubmit(): void;
}
const { document, window } = globalThis as unknown as {
  document: {
    body: TestEl;
    getElementById(id: string): TestEl | null;
    querySelectorAll(selector: string): ArrayLike<TestEl>;
  };
  window: object;
};
const $ = (id: string): TestEl => {
  const e = document.getElementById(id);
  if (e === null) throw new Error(`no #${id}`);
  return e;
};

beforeAll(async () => {
  const html = fs.readFileSync(HTML, 'utf8');
  document.body.innerHTML = /<body>([\s\S]*)<\/body>/.exec(html)?.[1] ?? '';
  Object.assign(window, {
    raftboard: {
      subscribeEvents: (h: BridgeEventHandlers) => {
        handlers = h;
        return () => undefined;
      },
    },
    raftboardShell: {
      getStartup: () => ok(state('starting')),
      getSettings: () => ok(DEFAULT_SETTINGS),
      saveSettings: (s: AppSettings) => {
        if (s.nodes > 9) {
          return Promise.resolve({
            ok: false,
            status: 400,
            error: { error: 'invalid_input', message: 'x', details: { nodes: 'too many' } },
          });
        }
        saved.push(s);
        return ok(s);
      },
      retryStart: () => {
        retries += 1;
        return ok(state('starting'));
      },
      quit: () => ok(null),
      onStartup: (h: (s: StartupState) => void) => {
        onStartup = h;
        return () => undefined;
      },
    },
  });
  await import('../../electron/startup/page.js');
  await flush();
});

describe('the start-up view', () => {
  it('shows the phase, the files, and the settings in the form', () => {
    expect($('phase').textContent).toBe('Starting the cluster…');
    expect($('settings-file').textContent).toBe('/home/u/.config/Raftboard/settings.json');
    expect($('s-nodes').value).toBe('3');
    expect($('s-mysql').value).toBe('managed');
    expect($('failure').hidden).toBe(true);
  });

  it('draws a row per node with its MySQL and process steps', () => {
    const events: ClusterEvent[] = [
      { type: 'progress', message: 'n1 mysql: ready (1.0s)', seq: 1, at },
      { type: 'progress', message: 'n2 mysql: starting mariadbd on 127.0.0.1:3307', seq: 2, at },
      { type: 'progress', message: 'n1: starting node process', seq: 3, at },
    ];
    for (const e of events) handlers?.onEvent(e);
    const rows = Array.from(document.querySelectorAll('#nodes tr'), (r) =>
      Array.from(r.children, (c) => c.textContent),
    );
    expect(rows).toEqual([
      ['n1', 'ready (1.0s)', '…', '…', 'starting node process'],
      [
        'n2',
        'starting mariadbd on 127.0.0.1:3307',
        '…',
        '…',
        'starting mariadbd on 127.0.0.1:3307',
      ],
    ]);
    expect(document.querySelectorAll('#lines li')).toHaveLength(3);
  });

  it('shows a failure with its reason, and "Try again" asks for a new start', async () => {
    onStartup?.(state('failed', 'mariadbd was not found'));
    expect($('failure').hidden).toBe(false);
    expect($('error').textContent).toBe('mariadbd was not found');
    $('retry').click();
    await flush();
    expect(retries).toBe(1);
    expect(document.querySelectorAll('#nodes tr')).toHaveLength(0);
  });

  it('saves settings, and shows what the main process refused', async () => {
    $('s-nodes').value = '5';
    $('s-mysql').value = 'external';
    $('s-urls').value = 'mysql://root@127.0.0.1:3306/rb_{node}\n\n';
    $('settings').requestSubmit();
    await flush();
    expect(saved.at(-1)).toMatchObject({
      nodes: 5,
      mysql: { mode: 'external', urls: ['mysql://root@127.0.0.1:3306/rb_{node}'] },
      dataDir: null,
    });
    expect($('settings-message').textContent).toMatch(/^Saved/);
    $('s-nodes').value = '12';
    $('settings').requestSubmit();
    await flush();
    expect($('settings-message').textContent).toBe('Not saved: nodes: too many');
  });
});
