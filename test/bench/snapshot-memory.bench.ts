/**
 * Memory and time of one node's snapshot and restore at a given database size (issue 15: node
 * RSS ≤ 100 MB at 100,000 tasks). Fills a throwaway MariaDB with `--tasks` tasks, each created
 * with a client session (as the bench's writes are), then runs each phase in a fresh child
 * process and prints its peak RSS (getrusage maxrss), peak V8 heap (sampled) and time:
 *
 * - `baseline`: open the state machine and read its applied index (what every node holds);
 * - `snapshot`: take a snapshot and write it to a file, as the WAL does;
 * - `restore`: restore that file into an empty database, as a follower does.
 *
 * A script, not a test: it prints a table and writes bench-results/snapshot-memory.json.
 * Run: npm run build:node && node build/test/bench/snapshot-memory.bench.js [--tasks 100000]
 *      [--format v3|v4] (v3: the whole-document snapshot and restore; v4: the paged file)
 *      [--node-args='<flags>'] (the phases' V8/Node flags; default the node's, NODE_EXEC_ARGV)
 *      [--reuse <dir>] (keep and reuse a filled MariaDB data dir: the fill takes minutes)
 */
import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, rmSync, statSync, writeFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { NODE_EXEC_ARGV } from '../../cluster/supervisor/node-process.js';
import { freePort, startMariaDb } from '../../db/provision/mariadb.js';
import { TaskStateMachine, type ApplyEntry } from '../../db/statemachine.js';
import type { PhaseResult } from './snapshot-memory-phase.js';

const FILLED = 'snapfill';
const BATCH = 500;

function entry(index: number): ApplyEntry {
  const n = index - 1;
  const id = `00000000-0000-4000-8000-${n.toString(16).padStart(12, '0')}`;
  const at = new Date(Date.UTC(2026, 0, 1) + n * 1_000).toISOString();
  const command = {
    op: 'create',
    task: {
      id,
      title: `Task ${n}: write the quarterly report draft`,
      description: `Notes for task ${n}, a line of text as a user would type it.`,
      status: 'todo',
      priority: (['low', 'medium', 'high'] as const)[n % 3],
      dueDate: n % 4 === 0 ? '2026-03-01' : null,
      dueTime: null,
      projectId: null,
      tags: n % 5 === 0 ? ['work', `t${n % 50}`] : [],
      parentId: null,
      recurrence: null,
      position: n,
    },
    at,
    session: { key: `bench-${n}` },
  };
  return { index, term: 1, type: 'normal', data: JSON.stringify(command) };
}

async function fill(url: string, tasks: number): Promise<void> {
  const sm = await TaskStateMachine.open(url, { database: FILLED });
  try {
    let next = (await sm.appliedIndex()).index + 1;
    const started = performance.now();
    while (next <= tasks) {
      const batch: ApplyEntry[] = [];
      for (let i = 0; i < BATCH && next <= tasks; i++) batch.push(entry(next++));
      await sm.applyBatch(batch);
      if ((next - 1) % 10_000 === 0) {
        console.log(`filled ${next - 1} (${((performance.now() - started) / 1000).toFixed(0)} s)`);
      }
    }
  } finally {
    await sm.close();
  }
}

function child(
  execArgv: readonly string[],
  mode: string,
  phase: string,
  url: string,
  file: string,
): PhaseResult {
  const script = fileURLToPath(new URL('./snapshot-memory-phase.js', import.meta.url));
  const out = execFileSync(
    process.execPath,
    [...execArgv, script, mode, phase, url, FILLED, file],
    {
      encoding: 'utf8',
      stdio: ['ignore', 'pipe', 'inherit'],
      maxBuffer: 1 << 20,
    },
  );
  const last = out.trim().split('\n').pop() ?? '';
  return JSON.parse(last) as PhaseResult;
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      tasks: { type: 'string', default: '100000' },
      reuse: { type: 'string' },
      out: { type: 'string', default: 'bench-results/snapshot-memory' },
      format: { type: 'string', default: 'v4' },
      'node-args': { type: 'string', default: NODE_EXEC_ARGV.join(' ') },
    },
  });
  const tasks = Number(values.tasks);
  if (!Number.isSafeInteger(tasks) || tasks < 1) throw new Error('--tasks must be positive');
  if (values.format !== 'v3' && values.format !== 'v4') throw new Error('--format is v3 or v4');
  const execArgv = values['node-args'].split(' ').filter((a) => a !== '');
  const dir = values.reuse ?? mkdtempSync(path.join(os.tmpdir(), 'raftboard-snapmem-'));
  mkdirSync(dir, { recursive: true });
  const mysql = await startMariaDb({ dataDir: path.join(dir, 'mysql'), port: await freePort() });
  const rows: PhaseResult[] = [];
  try {
    await fill(mysql.url, tasks);
    const file = path.join(dir, `snapshot.${values.format}`);
    if (existsSync(file)) rmSync(file);
    for (const phase of ['baseline', 'snapshot', 'restore']) {
      rows.push(child(execArgv, values.format, phase, mysql.url, file));
    }
    console.log(
      `\n${values.format} [${execArgv.join(' ')}]: ${tasks} tasks; snapshot file ${statSync(file).size} bytes`,
    );
    console.log('phase      peak RSS MB   peak heap MB   peak external MB   time ms');
    for (const r of rows) {
      console.log(
        `${r.phase.padEnd(10)} ${r.peakRssMb.toFixed(0).padStart(11)} ` +
          `${r.peakHeapMb.toFixed(0).padStart(14)} ${r.peakExternalMb.toFixed(0).padStart(18)} ${r.ms.toFixed(0).padStart(9)}`,
      );
    }
    mkdirSync(path.dirname(values.out), { recursive: true });
    writeFileSync(
      `${values.out}.json`,
      JSON.stringify({ format: values.format, tasks, bytes: statSync(file).size, rows }, null, 2),
    );
  } finally {
    await mysql.stop();
    if (values.reuse === undefined) rmSync(dir, { recursive: true, force: true });
  }
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  main().catch((e: unknown) => {
    console.error(e);
    process.exit(1);
  });
}
