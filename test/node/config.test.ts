import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadNodeConfig, parseNodeConfig } from '../../cluster/node/config.js';

const valid = {
  id: 2,
  peers: [
    { id: 1, raftPort: 7101, clientPort: 7201 },
    { id: 2, raftPort: 7102, clientPort: 7202 },
    { id: 3, host: '10.0.0.3', raftPort: 7103, clientPort: 7203 },
  ],
  dataDir: 'n2',
  mysql: { url: 'mysql://root@127.0.0.1:3306/', database: 'raftboard_n2' },
  secretFile: 'cluster.secret',
  tokenFile: '/etc/raftboard/token',
};

describe('node config', () => {
  it('fills defaults and resolves relative paths against the config file', () => {
    const c = parseNodeConfig(valid, '/srv/rb');
    expect(c.dataDir).toBe('/srv/rb/n2');
    expect(c.secretFile).toBe('/srv/rb/cluster.secret');
    expect(c.tokenFile).toBe('/etc/raftboard/token');
    expect(c.listenHost).toBe('127.0.0.1');
    expect(c.peers[0].host).toBe('127.0.0.1');
    expect(c.peers[2].host).toBe('10.0.0.3');
    expect(c.timers).toEqual({ tickMs: 25, electionTicks: 10, heartbeatTicks: 2 });
    expect(c.requestTimeoutMs).toBe(2000);
  });

  it.each([
    ['an unknown field', { ...valid, colour: 'red' }, 'colour'],
    ['a node missing from its own peers', { ...valid, id: 9 }, 'must include this node (id 9)'],
    [
      'a duplicate peer id',
      { ...valid, peers: [...valid.peers, valid.peers[0]] },
      'peer id 1 appears twice',
    ],
    [
      'a port out of range',
      { ...valid, peers: [{ ...valid.peers[1], raftPort: 70000 }] },
      'raftPort',
    ],
    [
      'a database name with SQL in it',
      { ...valid, mysql: { ...valid.mysql, database: 'x; DROP' } },
      'mysql.database',
    ],
    [
      'a heartbeat not shorter than the election timeout',
      { ...valid, timers: { tickMs: 10, electionTicks: 4, heartbeatTicks: 4 } },
      'heartbeatTicks must be less than electionTicks',
    ],
    [
      // It decides answers of the replicated state machine: one node set apart from the others
      // would answer a retried write differently. A constant, not a setting.
      'an Idempotency-Key retention of its own',
      { ...valid, sessionRetentionMs: 1_000 },
      'sessionRetentionMs',
    ],
  ])('refuses %s, naming the field', (_what, raw, expected) => {
    expect(() => parseNodeConfig(raw)).toThrow(ConfigError);
    expect(() => parseNodeConfig(raw)).toThrow(expected);
  });

  it('names the file when it is missing or not JSON', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'rb-config-'));
    const file = path.join(dir, 'node.json');
    expect(() => loadNodeConfig(file)).toThrow(`cannot read config ${file}`);
    fs.writeFileSync(file, '{ "id": 1,');
    expect(() => loadNodeConfig(file)).toThrow(`config ${file} is not valid JSON`);
    fs.writeFileSync(file, JSON.stringify({ ...valid, dataDir: 'd' }));
    expect(loadNodeConfig(file).dataDir).toBe(path.join(dir, 'd'));
    fs.rmSync(dir, { recursive: true, force: true });
  });
});
