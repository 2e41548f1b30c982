/**
 * The Lessons tab in a real browser (issue 5 §3, issue 6 §5): Debian's Chromium driven by
 * playwright-core against `npm run cluster` (3 node processes, 3 managed MariaDB servers). One
 * lesson (leader crash and recovery) runs to its end with the lesson's own buttons, and what each
 * step reports is checked against the control API; then a session is recorded with background
 * clients through a leader pause and checked for linearizability from the panel; and on a second
 * cluster with a planted stale-read bug, the panel shows the counterexample on its timeline.
 *
 * Screenshots go to build/e2e-lessons-screenshots/ (plus the page when a test fails);
 * RAFTBOARD_UPDATE_SCREENSHOTS=1 also copies the Lessons views to renderer/screenshots/.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect } from 'vitest';
import type { TaskListResponse } from '../../cluster/api/node.js';
import { killAllOf, startCli, waitFor, type RunningCli } from '../supervisor/cli-harness.js';
import { useWebUi } from './support/web-ui-session.js';

/** How long a step gets to show its effect (an election, a commit, a restart and catch-up). */
const STEP_MS = 45_000;

// `--slow 0.8`: Raft ticks of 20 ms (the defaults are 25 ms), so elections take well under a second.
const ui = useWebUi({
  name: 'e2e-lessons',
  cliArgs: ['--slow', '0.8', '--nodes', '3'],
  uiMs: STEP_MS,
});
const plantedDir = fs.mkdtempSync(path.join(os.tmpdir(), 'raftboard-e2e-planted-'));
let page: Page;
const theCli = (): RunningCli => ui.cli();
const uiTest = ui.test;
const shot = ui.shot;
const pageErrors = ui.pageErrors;

function waitForText(where: Locator, pattern: RegExp, what: string, ms = STEP_MS) {
  return ui.waitForText(where, pattern, what, ms);
}

beforeAll(async () => {
  page = ui.page();
  page.context().setDefaultTimeout(20_000);
  await theCli().leader();
  const tab = page.getByRole('tab', { name: 'Lessons' });
  await tab.click();
  expect(await tab.getAttribute('aria-selected')).toBe('true');
});

afterAll(() => {
  killAllOf(plantedDir);
  fs.rmSync(plantedDir, { recursive: true, force: true });
});

const step = () => page.getByRole('region', { name: 'Lesson step' });
const progress = () => page.getByRole('status', { name: 'Lesson progress' });
const happened = () => step().getByLabel('What happened');

/** Waits for the live step to finish and answers what it says happened. */
async function stepDone(title: string): Promise<string> {
  await waitForText(step().getByRole('heading'), new RegExp(`^${title}$`), `step “${title}”`);
  await waitForText(progress(), /^Done\.$/, `step “${title}” to be done`);
  return (await happened().textContent()) ?? '';
}

async function button(name: string): Promise<void> {
  await page.getByRole('button', { name, exact: true }).click();
}

function num(text: string, re: RegExp): number[] {
  const m = re.exec(text);
  if (m === null) throw new Error(`${re} does not match “${text}”`);
  return m.slice(1).map(Number);
}

async function taskIndex(title: string): Promise<number | undefined> {
  const r = await theCli().api<TaskListResponse>('GET', '/api/tasks?limit=10000');
  return r.body.tasks.find((t) => t.title === title)?.raftIndex;
}

describe('the Lessons tab of a 3-node cluster, in Chromium', () => {
  uiTest(
    'runs “Leader crash and recovery” to its end, each step matching the cluster',
    async () => {
      await shot('lessons-list');
      await button('Leader crash and recovery');

      const [leader, term] = num(
        await stepDone('Find the leader'),
        /^Node (\d+) is the leader of term (\d+)/,
      );
      const status = await theCli().cluster();
      expect(status.leaderId).toBe(leader);
      expect(status.term).toBeGreaterThanOrEqual(term!);

      await button('Next');
      await button('Create a task');
      const [before] = num(await stepDone('Commit a task'), /^Entry (\d+) is committed/);
      expect(await taskIndex('Lesson: committed before the crash')).toBe(before);

      await button('Next');
      await button(`Kill node ${leader}`);
      const [next, nextTerm, last] = num(
        await stepDone('Kill the leader'),
        /^Node (\d+) leads term (\d+)\. Its log reaches index (\d+)/,
      );
      expect(next).not.toBe(leader);
      expect(nextTerm).toBeGreaterThan(term!);
      expect(last).toBeGreaterThanOrEqual(before!);
      const killed = (await theCli().cluster()).nodes.find((n) => n.id === leader);
      expect(killed?.status).toBe('stopped');
      await shot('lessons', 'lessons');

      await button('Next');
      await button('Create a task');
      const [after] = num(await stepDone('Keep writing'), /^Entry (\d+) \(term (\d+)\)/);
      expect(await taskIndex('Lesson: written while the old leader was dead')).toBe(after);

      await button('Next');
      await button(`Restart node ${leader}`);
      const back = await stepDone('Bring the old leader back');
      expect(back).toMatch(
        new RegExp(
          `^Node ${leader} is a follower of node \\d+ in term \\d+ and has committed index ${after}`,
        ),
      );
      const s = await theCli().cluster();
      expect(s.nodes.find((n) => n.id === leader)).toMatchObject({
        status: 'running',
        role: 'follower',
      });
      expect(s.nodes.find((n) => n.id === leader)!.commitIndex).toBeGreaterThanOrEqual(after!);

      await button('Finish');
      await waitForText(
        page.getByRole('status', { name: 'Lesson finished' }),
        /^Lesson complete\. Nothing needed putting back\.$/,
        'the lesson to finish',
      );
      // Every replica holds the same data at the end.
      const sums = await theCli().checksums();
      expect(new Set(sums.values()).size, JSON.stringify([...sums])).toBe(1);
      await shot('lessons-finished');
      await button('Leave lesson');
      await page.getByRole('list', { name: 'Lessons to choose' }).waitFor();
    },
  );

  uiTest(
    'runs the other four lessons to their ends; each puts the cluster back itself',
    async () => {
      for (const title of [
        'Leader election',
        'Log replication',
        'Partition: no split brain',
        'Figure 8: replicated is not committed',
      ]) {
        await button(title);
        const seen: string[] = [];
        for (let guard = 0; guard < 20; guard++) {
          const shown = await waitForText(
            progress(),
            /^(Done\.|Ready when you are\.|That did not work\.)$/,
            `a step of “${title}” to be ready or done (after ${seen.join(' / ')})`,
          );
          const heading = (await step().getByRole('heading').textContent()) ?? '';
          if (shown === 'That did not work.') {
            throw new Error(
              `${title}, “${heading}”: ${await page.getByRole('alert').textContent()}`,
            );
          }
          if (shown === 'Ready when you are.') {
            await step().getByRole('button').click();
            continue;
          }
          seen.push(heading);
          const finish = page.getByRole('button', { name: 'Finish', exact: true });
          if (await finish.isVisible()) {
            await finish.click();
            break;
          }
          await button('Next');
        }
        await waitForText(
          page.getByRole('status', { name: 'Lesson finished' }),
          /^Lesson complete\. Nothing needed putting back\.$/,
          `“${title}” to finish`,
        );
        const s = await theCli().cluster();
        expect(
          s.nodes.map((n) => n.status),
          title,
        ).toEqual(['running', 'running', 'running']);
        expect(s.network.partitions, title).toEqual([]);
        await button('Leave lesson');
        await page.getByRole('list', { name: 'Lessons to choose' }).waitFor();
      }
      const sums = await theCli().checksums();
      expect(new Set(sums.values()).size, JSON.stringify([...sums])).toBe(1);
    },
  );

  uiTest(
    'records a session with 2 background clients through a leader pause and checks it: linearizable',
    async () => {
      const panel = page.getByRole('region', { name: 'Check the cluster yourself' });
      const recording = panel.getByRole('status', { name: 'Recording' });
      await panel.getByLabel('Background clients').fill('2');
      await panel.getByRole('button', { name: 'Start recording' }).click();
      await waitForText(
        recording,
        /^Recording: \d+ operations? so far, 2 background clients\.$/,
        'the recording',
      );
      expect(
        (await theCli().api<{ recording: boolean; clients: number }>('GET', '/api/history')).body,
      ).toMatchObject({
        recording: true,
        clients: 2,
      });

      // A fault while the clients run: pause the leader until another is elected, then resume.
      const old = await theCli().leader();
      await theCli().api('POST', `/api/nodes/${old.id}/pause`);
      await theCli().leader(STEP_MS, old.id);
      await theCli().api('POST', `/api/nodes/${old.id}/resume`);
      const ops = async () =>
        num((await recording.textContent()) ?? '', /^Recording: (\d+) operation/)[0]!;
      await waitFor(async () => (await ops()) >= 30, STEP_MS, 'at least 30 recorded operations');

      await panel.getByRole('button', { name: 'Stop recording' }).click();
      await waitForText(
        recording,
        /^Not recording\. The last recording holds \d+ operations\.$/,
        'the recording to stop',
      );
      await panel.getByRole('button', { name: 'Check linearizability' }).click();
      const verdict = await waitForText(
        panel.getByRole('status', { name: 'Verdict' }),
        /^Linearizable\. [\d,]+ operations on [\d,]+ tasks are linearizable \(checked in \d+ ms/,
        'the verdict',
        60_000,
      );
      const [checked] = num(verdict.replace(/,/g, ''), /^Linearizable\. (\d+) operations/);
      expect(checked).toBeGreaterThanOrEqual(30);
      expect(await panel.getByRole('img').count()).toBe(0); // no counterexample
      await shot('lessons-check', 'lessons-check');
    },
  );

  uiTest(
    'shows the counterexample on a timeline when the cluster has the planted local-reads bug',
    async () => {
      // A second cluster whose nodes answer "linearizable" reads from their own database (a bug
      // planted for tests only): a cut-off follower then serves stale reads.
      const planted = startCli(
        ['--data-dir', plantedDir, '--port', '0', '--slow', '0.8', '--nodes', '3'],
        { RAFTBOARD_PLANTED_BUG: 'local-reads' },
      );
      const other = await page.context().newPage();
      other.on('pageerror', (e) => pageErrors.push(e.message));
      try {
        await planted.ready();
        await other.goto(`${planted.base}/?token=${encodeURIComponent(planted.token)}`);
        await other.getByRole('tab', { name: 'Lessons' }).click();
        const c = await planted.cluster();
        const leader = (await planted.leader()).id;
        const follower = c.nodes.find((n) => n.id !== leader)!.id;
        const others = c.nodes.map((n) => n.id).filter((id) => id !== follower);

        const panel = other.getByRole('region', { name: 'Check the cluster yourself' });
        await panel.getByLabel('Background clients').fill('6');
        await panel.getByRole('button', { name: 'Start recording' }).click();
        const recording = panel.getByRole('status', { name: 'Recording' });
        await waitFor(
          async () => {
            const m = /^Recording: (\d+) operations/.exec((await recording.textContent()) ?? '');
            return m !== null && Number(m[1]) >= 40;
          },
          STEP_MS,
          '40 recorded operations',
        );
        await planted.api('PUT', '/api/network', { partitions: [[follower], others] });
        const verdict = panel.getByRole('status', { name: 'Verdict' });
        await waitFor(
          async () => {
            await panel.getByRole('button', { name: 'Check linearizability' }).click();
            await verdict.waitFor();
            return /^Not linearizable!/.test((await verdict.textContent()) ?? '');
          },
          90_000,
          'the check to find the stale reads',
        );
        await planted.api('DELETE', '/api/network');
        await panel.getByRole('button', { name: 'Stop recording' }).click();

        const svg = panel.getByRole('img', { name: /^Timeline of \d+ operations by \d+ clients$/ });
        await svg.waitFor();
        const ops = panel
          .getByRole('list', { name: 'Operations that cannot be ordered' })
          .getByRole('listitem');
        expect(await ops.count()).toBeGreaterThanOrEqual(2);
        expect((await ops.allTextContents()).some((t) => / read → /.test(t))).toBe(true);
        expect(await svg.locator('rect.tl-bar').count()).toBe(await ops.count());
        expect(await panel.textContent()).toMatch(/Task [0-9a-f-]{36}: /);
        await svg.scrollIntoViewIfNeeded();
        await shot('lessons-counterexample', 'lessons-counterexample', {
          page: other,
          fullPage: true,
        });
      } finally {
        await other.close().catch(() => undefined);
        if (planted.child.exitCode === null) await planted.stop('SIGTERM');
        killAllOf(plantedDir);
        fs.rmSync(plantedDir, { recursive: true, force: true });
      }
    },
  );
});
