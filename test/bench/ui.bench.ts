/**
 * The task manager at 10,000 tasks (issue 14, "Done when"): an import of 10,000 tasks through
 * the control API, then the web UI in Debian's Chromium — how long the first screen takes, how
 * smoothly the list and each board column scroll (frame times while scrolling a screen per
 * frame), and how long a filter takes to show its result, by search text and by project.
 *
 * Nothing here is a pass/fail test: it prints a table with each figure next to its target and
 * writes bench-results/ui.json and ui.md. The machine is shared: run it twice before believing
 * a regression.
 *
 * Run: npm run bench:ui   (builds; starts its own cluster in a temp dir and deletes it after)
 */
import { randomUUID } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import type { ExportDocument, ImportResponse } from '../../cluster/api/node.js';
import type { Project, Task } from '../../cluster/api/task.js';
import { CHROMIUM } from '../support/global-setup.js';
import { killAllOf, startCli, type RunningCli } from '../supervisor/cli-harness.js';

const TASKS = Number(process.env.RAFTBOARD_BENCH_TASKS ?? 10_000);
const PROJECTS = 12;
const TARGETS = { importMs: 10_000, frameP95Ms: 33.4, filterMs: 250, firstScreenMs: 3_000 };

interface Scroll {
  readonly frames: number;
  readonly p50: number;
  readonly p95: number;
  readonly max: number;
  /** Frames longer than 50 ms: what a person sees as a stutter. */
  readonly long: number;
}

interface Results {
  readonly date: string;
  readonly machine: string;
  readonly tasks: number;
  readonly importMs: number;
  /** Answers 503 during the import, retried with the same key; elections (term rises) meanwhile. */
  readonly importRetries: number;
  readonly importElections: number;
  readonly imported: ImportResponse;
  readonly firstScreenMs: number;
  readonly listScroll: Scroll;
  readonly boardScroll: Scroll;
  readonly filterSearchMs: number;
  readonly filterProjectMs: number | null;
  readonly boardFilterMs: number;
}

/** A Raftboard export with `n` tasks over a few projects, tags, due dates and subtasks. */
function exportDocument(n: number): ExportDocument {
  const at = new Date().toISOString();
  const projects: Project[] = Array.from({ length: PROJECTS }, (_, i) => ({
    id: randomUUID(),
    name: `Project ${i + 1}`,
    color: `#${(((i * 0x2f4a1b) >>> 0) & 0xffffff).toString(16).padStart(6, '0')}`,
    position: i,
    version: 1,
    createdAt: at,
    updatedAt: at,
  }));
  const statuses = ['todo', 'in_progress', 'done'] as const;
  const priorities = ['low', 'medium', 'high'] as const;
  const tasks: Task[] = [];
  for (let i = 0; i < n; i += 1) {
    // Every tenth task is a subtask of the task before it.
    const parent = i % 10 === 9 ? tasks[i - 1] : undefined;
    const day = new Date(Date.now() + ((i % 60) - 20) * 86_400_000).toISOString().slice(0, 10);
    const status = statuses[i % 3]!;
    tasks.push({
      id: randomUUID(),
      title: `Task ${i} ${['water plants', 'call the bank', 'review PR', 'buy milk'][i % 4]}`,
      description: i % 5 === 0 ? `Notes for task ${i}: ${'lorem ipsum '.repeat(8)}` : '',
      status,
      priority: priorities[i % 3]!,
      dueDate: i % 4 === 0 ? null : day,
      dueTime: i % 8 === 1 ? '09:30' : null,
      projectId: i % 7 === 0 ? null : projects[i % PROJECTS]!.id,
      tags: i % 3 === 0 ? ['home'] : i % 3 === 1 ? ['work', `t${i % 50}`] : [],
      parentId: parent?.id ?? null,
      recurrence: null,
      position: i,
      completedAt: status === 'done' ? at : null,
      createdAt: at,
      updatedAt: at,
      version: 1,
      raftIndex: 0,
    });
  }
  return { format: 'raftboard/1', exportedAt: at, projects, tasks };
}

function percentile(sorted: readonly number[], p: number): number {
  if (sorted.length === 0) return 0;
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Scrolls `selector`'s element by most of its height per frame, `frames` times; frame times. */
async function scrollFrames(page: Page, selector: string, frames: number): Promise<Scroll> {
  // A string, not a function: this file is compiled without the DOM's types.
  const times = (await page.evaluate(`(async () => {
    const el = document.querySelector(${JSON.stringify(selector)});
    if (!(el instanceof HTMLElement)) throw new Error('nothing scrolls at ' + ${JSON.stringify(selector)});
    const frame = () => new Promise((r) => requestAnimationFrame(r));
    const out = [];
    let last = await frame();
    for (let i = 0; i < ${frames}; i += 1) {
      el.scrollTop += el.clientHeight * 0.8;
      if (el.scrollTop + el.clientHeight >= el.scrollHeight - 1) el.scrollTop = 0;
      const now = await frame();
      out.push(now - last);
      last = now;
    }
    return out;
  })()`)) as number[];
  const sorted = [...times].sort((a, b) => a - b);
  return {
    frames: times.length,
    p50: percentile(sorted, 50),
    p95: percentile(sorted, 95),
    max: sorted[sorted.length - 1] ?? 0,
    long: times.filter((t) => t > 50).length,
  };
}

/** Time from `act` until the task count shows something other than `before`. */
async function timeUntilCountChanges(page: Page, act: () => Promise<void>): Promise<number> {
  const count = page.locator('.toolbar .count');
  const before = (await count.textContent()) ?? '';
  // Watching from inside the page, frame by frame, from before the action.
  const changed = untilTrue(
    page,
    `(document.querySelector('.toolbar .count')?.textContent ?? '') !== ${JSON.stringify(before)}`,
    30_000,
  );
  const start = Date.now();
  await act();
  await changed;
  return Date.now() - start;
}

/**
 * Resolves once `condition` (a page expression) is true, checked on every animation frame. The
 * app's CSP allows no eval, so no waitForFunction: page.evaluate goes through the debugger.
 */
async function untilTrue(page: Page, condition: string, timeoutMs: number): Promise<void> {
  const ok = await page.evaluate(`new Promise((resolve) => {
    const until = performance.now() + ${timeoutMs};
    const check = () => {
      if (${condition}) resolve(true);
      else if (performance.now() > until) resolve(false);
      else requestAnimationFrame(check);
    };
    check();
  })`);
  if (ok !== true) throw new Error(`not true within ${timeoutMs} ms: ${condition}`);
}

/** The highest term any node reports (its rise counts elections). */
async function clusterTerm(cli: RunningCli): Promise<number> {
  const res = await fetch(`${cli.base}/api/cluster`, {
    headers: { authorization: `Bearer ${cli.token}` },
  });
  const body = (await res.json()) as { nodes: { term?: number }[] };
  return Math.max(0, ...body.nodes.map((n) => n.term ?? 0));
}

async function main(): Promise<void> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-ui-bench-'));
  const profile = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-ui-bench-chromium-'));
  let cli: RunningCli | undefined;
  try {
    cli = startCli(['--data-dir', dataDir, '--port', '0']);
    await cli.ready(120_000);
    const doc = exportDocument(TASKS);
    const body = JSON.stringify(doc);
    console.log(`importing ${TASKS} tasks (${(body.length / 1e6).toFixed(1)} MB)…`);
    const termBefore = await clusterTerm(cli);
    const key = `ui-bench-${randomUUID()}`;
    const t0 = Date.now();
    // A 503 (leadership changing) is retried with the same key, as the contract says.
    let res: Response;
    let text: string;
    let retries = 0;
    for (;;) {
      res = await fetch(`${cli.base}/api/import`, {
        method: 'POST',
        headers: {
          authorization: `Bearer ${cli.token}`,
          'content-type': 'application/json',
          'idempotency-key': key,
        },
        body,
      });
      text = await res.text();
      if (res.status !== 503 || retries >= 5) break;
      retries += 1;
      console.log(`import answered 503, retrying with the same key: ${text}`);
    }
    const importMs = Date.now() - t0;
    const elections = (await clusterTerm(cli)) - termBefore;
    if (res.status !== 200) throw new Error(`import answered ${res.status}: ${text}`);
    const imported = JSON.parse(text) as ImportResponse;
    if (imported.tasks !== TASKS) {
      throw new Error(`import wrote ${imported.tasks} of ${TASKS} tasks: ${text}`);
    }

    const context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      viewport: { width: 1280, height: 800 },
      args: ['--no-sandbox'],
    });
    const page = context.pages()[0] ?? (await context.newPage());
    const t1 = Date.now();
    await page.goto(`${cli.base}/?token=${encodeURIComponent(cli.token)}`);
    await untilTrue(
      page,
      // Every top-level task loaded (subtasks may be shown under their parents instead).
      `Math.max(0, ...((document.querySelector('.toolbar .count')?.textContent ?? '')
        .replace(/[,\\s](?=\\d{3})/g, '').match(/\\d+/g) ?? []).map(Number)) >= ${Math.floor(TASKS * 0.8)}`,
      60_000,
    );
    await page.getByRole('list', { name: 'Tasks' }).first().waitFor({ timeout: 60_000 });
    const firstScreenMs = Date.now() - t1;

    const listScroll = await scrollFrames(page, '[role="list"][aria-label="Tasks"]', 240);
    const search = page.getByRole('searchbox', { name: 'Search tasks' });
    const filterSearchMs = await timeUntilCountChanges(page, () => search.fill('task 123'));
    await timeUntilCountChanges(page, () => search.fill(''));
    // The sidebar's project entry, where the window has one.
    const project = page.getByRole('button', { name: /^Project 3\b/ }).first();
    let filterProjectMs: number | null = null;
    if ((await project.count()) > 0) {
      filterProjectMs = await timeUntilCountChanges(page, () => project.click());
      const all = page.getByRole('button', { name: /^(All tasks|All)\b/ }).first();
      if ((await all.count()) > 0) await all.click();
    }

    await page.getByRole('group', { name: 'View' }).getByRole('button', { name: 'Board' }).click();
    await page
      .getByRole('list', { name: /tasks$/ })
      .first()
      .waitFor();
    const boardScroll = await scrollFrames(page, '[role="list"][aria-label$="tasks"]', 240);
    const boardFilterMs = await timeUntilCountChanges(page, () => search.fill('task 77'));
    await context.close();

    const results: Results = {
      date: new Date().toISOString(),
      machine: `${os.cpus().length} × ${os.cpus()[0]?.model ?? 'cpu'}, ${Math.round(os.totalmem() / 2 ** 30)} GiB`,
      tasks: TASKS,
      importMs,
      importRetries: retries,
      importElections: elections,
      imported,
      firstScreenMs,
      listScroll,
      boardScroll,
      filterSearchMs,
      filterProjectMs,
      boardFilterMs,
    };
    report(results);
  } finally {
    if (cli !== undefined && cli.child.exitCode === null) await cli.stop('SIGTERM');
    killAllOf(dataDir);
    killAllOf(profile);
    fs.rmSync(dataDir, { recursive: true, force: true });
    fs.rmSync(profile, { recursive: true, force: true });
  }
}

function report(r: Results): void {
  const ms = (n: number | null): string => (n === null ? 'n/a' : `${n.toFixed(0)} ms`);
  const frame = (s: Scroll): string =>
    `p50 ${s.p50.toFixed(1)} / p95 ${s.p95.toFixed(1)} / max ${s.max.toFixed(0)} ms, ${s.long} of ${s.frames} over 50 ms`;
  const ok = (v: number | null, target: number): string =>
    v === null ? '' : v <= target ? 'met' : 'MISSED';
  const rows: [string, string, string, string][] = [
    [
      `import of ${r.tasks} tasks`,
      ms(r.importMs),
      `< ${TARGETS.importMs} ms`,
      ok(r.importMs, TARGETS.importMs),
    ],
    [
      'first screen with every task',
      ms(r.firstScreenMs),
      `< ${TARGETS.firstScreenMs} ms`,
      ok(r.firstScreenMs, TARGETS.firstScreenMs),
    ],
    [
      'list scroll frames',
      frame(r.listScroll),
      `p95 ≤ ${TARGETS.frameP95Ms} ms`,
      ok(r.listScroll.p95, TARGETS.frameP95Ms),
    ],
    [
      'board scroll frames',
      frame(r.boardScroll),
      `p95 ≤ ${TARGETS.frameP95Ms} ms`,
      ok(r.boardScroll.p95, TARGETS.frameP95Ms),
    ],
    [
      'list filter by text',
      ms(r.filterSearchMs),
      `≤ ${TARGETS.filterMs} ms`,
      ok(r.filterSearchMs, TARGETS.filterMs),
    ],
    [
      'list filter by project',
      ms(r.filterProjectMs),
      `≤ ${TARGETS.filterMs} ms`,
      ok(r.filterProjectMs, TARGETS.filterMs),
    ],
    [
      'board filter by text',
      ms(r.boardFilterMs),
      `≤ ${TARGETS.filterMs} ms`,
      ok(r.boardFilterMs, TARGETS.filterMs),
    ],
  ];
  const md = [
    `# Task manager at ${r.tasks} tasks (${r.date})`,
    '',
    `Machine: ${r.machine}. Import: ${r.importRetries} retries after a 503, ` +
      `${r.importElections} elections during it; answer ${JSON.stringify({ ...r.imported, taskIds: undefined, projectIds: undefined })}.`,
    '',
    '| measure | result | target | |',
    '|---|---|---|---|',
    ...rows.map((row) => `| ${row.join(' | ')} |`),
    '',
  ].join('\n');
  console.log(md);
  fs.mkdirSync('bench-results', { recursive: true });
  fs.writeFileSync(path.join('bench-results', 'ui.json'), `${JSON.stringify(r, null, 2)}\n`);
  fs.writeFileSync(path.join('bench-results', 'ui.md'), md);
  console.log('wrote bench-results/ui.json and bench-results/ui.md');
}

main().catch((e: unknown) => {
  console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
});
