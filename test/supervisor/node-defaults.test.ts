/**
 * What every supervised node runs with by default: the same Raft timers a node started by hand
 * gets (one source, cluster/node/config.ts), and the V8 flags that keep its memory small
 * (node-process.ts). The second test forks a real child through NodeProcess.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { parseNodeConfig } from '../../cluster/node/config.js';
import { DEFAULT_TIMERS, scaledTimers } from '../../cluster/supervisor/node-config.js';
import { NODE_EXEC_ARGV, NodeProcess } from '../../cluster/supervisor/node-process.js';

const dirs: string[] = [];
afterAll(() => {
  for (const d of dirs) fs.rmSync(d, { recursive: true, force: true });
});

describe('node defaults', () => {
  it('the supervisor writes the timers a node without any in its config would use', () => {
    const standalone = parseNodeConfig(
      {
        id: 1,
        peers: [{ id: 1, raftPort: 7001, clientPort: 8001 }],
        dataDir: 'n1',
        mysql: { url: 'mysql://root@127.0.0.1:3306/', database: 'n1' },
        secretFile: 'secret',
        tokenFile: 'token',
      },
      '/srv/rb',
    );
    const { requestTimeoutMs, ...supervised } = scaledTimers(DEFAULT_TIMERS, 1);
    expect(supervised).toEqual(standalone.timers);
    expect(requestTimeoutMs).toBe(standalone.requestTimeoutMs);
    // The election timeout (electionTicks × tickMs, randomised up to 2×) stays within the
    // 150–500 ms range the Raft paper recommends and heartbeats come several times per timeout.
    const timeoutMs = standalone.timers.electionTicks * standalone.timers.tickMs;
    expect(timeoutMs).toBeGreaterThanOrEqual(150);
    expect(timeoutMs).toBeLessThanOrEqual(500);
    expect(standalone.timers.heartbeatTicks * 3).toBeLessThanOrEqual(
      standalone.timers.electionTicks,
    );
  });

  it('a node process runs with the memory flags unless told otherwise', async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-node-flags-'));
    dirs.push(dir);
    const main = path.join(dir, 'main.cjs');
    // Stands in for the node program: reports the flags it got and says `listening`.
    fs.writeFileSync(
      main,
      `require('fs').writeFileSync(${JSON.stringify(path.join(dir, 'argv.json'))}, ` +
        `JSON.stringify(process.execArgv));\n` +
        `process.send({ type: 'listening', id: 1, clientUrl: 'http://127.0.0.1:1', raftPort: 1 });\n` +
        `process.on('message', () => process.exit(0));\nsetInterval(() => {}, 1000);\n`,
    );
    const run = async (execArgv: readonly string[] | undefined): Promise<string[]> => {
      const p = new NodeProcess({
        id: 1,
        nodeMain: main,
        configPath: path.join(dir, 'node.json'),
        pidFile: path.join(dir, 'node.pid'),
        execArgv,
        onEvent: () => undefined,
        onLine: () => undefined,
        onStatusChange: () => undefined,
      });
      await p.start(20_000);
      await p.stop(5_000);
      return JSON.parse(fs.readFileSync(path.join(dir, 'argv.json'), 'utf8')) as string[];
    };
    expect(NODE_EXEC_ARGV).toContain('--max-semi-space-size=2');
    expect(await run(undefined)).toEqual([...NODE_EXEC_ARGV]);
    expect(await run([])).toEqual([]);
  }, 60_000);
});
