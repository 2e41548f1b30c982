/** settings.json: the schema (defaults, limits, cross-field rules) and reading/writing the file. */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import {
  DEFAULT_SETTINGS,
  loadSettings,
  parseSettings,
  saveSettings,
} from '../../electron/settings.js';

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-settings-'));
afterAll(() => fs.rmSync(dir, { recursive: true, force: true }));

describe('settings schema', () => {
  it('fills every missing field with its default', () => {
    expect(parseSettings({})).toEqual({ ok: true, settings: DEFAULT_SETTINGS });
    expect(parseSettings({ nodes: 5 })).toEqual({
      ok: true,
      settings: { ...DEFAULT_SETTINGS, nodes: 5 },
    });
  });

  it('takes a complete external configuration', () => {
    const s = {
      nodes: 3,
      mysql: { mode: 'external', urls: ['mysql://root@127.0.0.1:3306/raftboard_{node}'] },
      timers: { tickMs: 20, electionTicks: 10, heartbeatTicks: 2 },
      slow: 2.5,
      dataDir: path.join(dir, 'cluster'),
    };
    expect(parseSettings(s)).toEqual({ ok: true, settings: s });
  });

  it.each([
    ['nodes 0', { nodes: 0 }, 'nodes'],
    ['nodes 10', { nodes: 10 }, 'nodes'],
    ['nodes 2.5', { nodes: 2.5 }, 'nodes'],
    ['an unknown mode', { mysql: { mode: 'sqlite', urls: [] } }, 'mysql.mode'],
    ['external without URLs', { mysql: { mode: 'external', urls: [] } }, 'mysql.urls'],
    [
      'a URL that is not mysql://',
      { mysql: { mode: 'external', urls: ['http://x/'] } },
      'mysql.urls.0',
    ],
    ['slow below 0.1', { slow: 0.05 }, 'slow'],
    ['slow above 30', { slow: 31 }, 'slow'],
    [
      'heartbeat ≥ election',
      { timers: { tickMs: 50, electionTicks: 3, heartbeatTicks: 3 } },
      'timers.heartbeatTicks',
    ],
    ['tick 0', { timers: { tickMs: 0, electionTicks: 10, heartbeatTicks: 2 } }, 'timers.tickMs'],
    ['a relative data dir', { dataDir: 'here' }, 'dataDir'],
    ['an unknown field', { colour: 'blue' }, 'colour'],
  ])('refuses %s, naming the field', (_name, input, field) => {
    const r = parseSettings(input);
    expect(r.ok).toBe(false);
    if (!r.ok) expect(Object.keys(r.details)).toContain(field);
  });
});

describe('settings file', () => {
  it('is the defaults when missing', () => {
    expect(loadSettings(path.join(dir, 'none.json'))).toEqual({ settings: DEFAULT_SETTINGS });
  });

  it('round-trips, owner-only, leaving no temporary file', () => {
    const file = path.join(dir, 'nested', 'settings.json');
    const s = { ...DEFAULT_SETTINGS, nodes: 5, slow: 3 };
    saveSettings(file, s);
    expect(loadSettings(file)).toEqual({ settings: s });
    expect(fs.statSync(file).mode & 0o077).toBe(0);
    expect(fs.readdirSync(path.dirname(file))).toEqual(['settings.json']);
  });

  it.each([
    ['not JSON', '{ nodes: 3', /not JSON/],
    ['invalid', JSON.stringify({ nodes: 42 }), /nodes/],
  ])(
    'a file that is %s gives the defaults and the problem, and is left as it was',
    (_n, text, why) => {
      const file = path.join(dir, `bad-${_n}.json`);
      fs.writeFileSync(file, text);
      const r = loadSettings(file);
      expect(r.settings).toEqual(DEFAULT_SETTINGS);
      expect(r.problem).toMatch(why);
      expect(fs.readFileSync(file, 'utf8')).toBe(text);
    },
  );
});
