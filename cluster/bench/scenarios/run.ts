/**
 * Runs the selected scenarios against one system, in a fixed order: the idle memory (after the
 * start, before any load), load first (on a young cluster), then the faults, then the cold start
 * (which stops everything). A scenario that throws is recorded with its error and the rest still
 * run. The highest term is read around every scenario, so every election of the run is counted
 * and attributed.
 */
import type { ElectionsResult, ScenarioName, SystemResult } from '../report/results.js';
import type { BenchTarget } from '../targets/target.js';
import { catchup } from './catchup.js';
import type { Context, Settings } from './context.js';
import { failover } from './failover.js';
import { MemorySampler } from './memory.js';
import { metricsTab } from './metrics.js';
import { reads } from './reads.js';
import { steady } from './steady.js';
import { allProgress, maxTerm, sleep } from './wait.js';
import { writes } from './writes.js';

/** Scenarios that kill or stop the leader: their elections are provoked. */
const PROVOKED: readonly ScenarioName[] = ['failover', 'coldstart'];
/** How long the fresh cluster settles before its idle memory is read. */
const IDLE_SETTLE_MS = 2_000;

function electionsOf(byScenario: Partial<Record<ScenarioName, number>>): ElectionsResult {
  let total = 0;
  let unprovoked = 0;
  for (const [name, n] of Object.entries(byScenario) as [ScenarioName, number][]) {
    total += n;
    if (!PROVOKED.includes(name)) unprovoked += n;
  }
  return { total, byScenario, unprovoked };
}

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

export async function runSystem(
  target: BenchTarget,
  only: readonly ScenarioName[],
  settings: Settings,
  say: (line: string) => void,
): Promise<SystemResult> {
  let seq = 0;
  const ctx: Context = {
    target,
    settings,
    say: (line) => say(`${target.name}: ${line}`),
    seq: () => seq++,
  };
  const result: Mutable<SystemResult> = { system: target.name, coldStartFreshMs: NaN, errors: {} };
  const errors: Mutable<SystemResult['errors']> = {};
  result.errors = errors;
  const sampler = new MemorySampler(target);
  try {
    const t0 = performance.now();
    await target.startFresh();
    result.coldStartFreshMs = performance.now() - t0;
    ctx.say(`ready from an empty data dir in ${result.coldStartFreshMs.toFixed(0)} ms`);
  } catch (e) {
    errors.start = (e as Error).message;
    await target.destroy().catch(() => undefined);
    return result;
  }
  sampler.start();
  await sleep(IDLE_SETTLE_MS);
  const idleMb = sampler.markIdle();
  const byScenario: Partial<Record<ScenarioName, number>> = {};
  // The highest term before each scenario; a member that does not answer counts as term 0.
  let term = await maxTerm(target);
  const step = async <T>(name: ScenarioName, fn: () => Promise<T>): Promise<T | undefined> => {
    if (!only.includes(name)) return undefined;
    try {
      return await fn();
    } catch (e) {
      errors[name] = (e as Error).message;
      ctx.say(`${name} failed: ${(e as Error).message}`);
      return undefined;
    } finally {
      const after = await maxTerm(target);
      byScenario[name] = Math.max(0, after - term);
      term = Math.max(term, after);
    }
  };
  let entries = 0;
  try {
    result.writes = await step('writes', () => writes(ctx));
    result.reads = await step('reads', () => reads(ctx));
    result.metricsTab = await step('metrics', () => metricsTab(ctx));
    result.steady = await step('steady', () => steady(ctx));
    result.memory = await step('memory', async () => sampler.snapshot());
    result.catchup = await step('catchup', () => catchup(ctx));
    result.failover = await step('failover', () => failover(ctx));
    for (const p of (await allProgress(target)).values())
      entries = Math.max(entries, p?.commit ?? 0);
    result.coldStartExistingMs = await step('coldstart', async () => {
      await target.stopAll();
      const t0 = performance.now();
      await target.startExisting();
      const ms = performance.now() - t0;
      ctx.say(`ready from its existing data dir in ${ms.toFixed(0)} ms`);
      return ms;
    });
  } finally {
    sampler.stop();
    await target.destroy();
  }
  // The peaks cover the whole run, the fault scenarios included.
  result.memory = result.memory?.map((m) => ({
    ...m,
    peakRssMb: Math.max(m.peakRssMb, sampler.peakOf(m.label) ?? 0),
  }));
  if (result.memory !== undefined) {
    result.footprint = { idleMb, peakMb: sampler.peakTotalMb(), entries };
  }
  result.elections = electionsOf(byScenario);
  return result;
}
