/**
 * The control API's own endpoints under bad input (see control-requests.ts), one request at a
 * time: the answer rules of oracle.ts (never a 500, JSON errors), a refused request changes
 * nothing (processes, MySQL servers, network faults, slow factor, and the tasks' checksum), the
 * static files never leave the UI folder, and an accepted network change is what was asked
 * (then healed, and the cluster must find its leader again).
 */
import fc from 'fast-check';
import type { ClusterStatus } from '../../../cluster/api/control.js';
import type { RunningCli } from '../../supervisor/cli-harness.js';
import { steerAround } from '../known-bugs.js';
import { renderBody } from './bodies.js';
import { controlRequest, isDestructive, type ControlRequest } from './control-requests.js';
import { controlState, controlTarget } from './control-target.js';
import { judge } from './oracle.js';
import { replayCommand, sendRaw, type RawRequest } from './raw-http.js';

export interface ControlFuzzReport {
  readonly ok: boolean;
  readonly problems: readonly string[];
  readonly byStatus: Readonly<Record<string, number>>;
  readonly skipped: number;
  readonly networkChanges: number;
  readonly summary: string;
}

/** Bytes a file outside the UI folder would show (the passwd file, the repo's package.json). */
const LEAKS = [/root:x:0:0/, /"name":\s*"raftboard"/];

function toRaw(r: ControlRequest, port: number, token: string): { raw: RawRequest; text?: string } {
  const headers: [string, string][] = [];
  if (r.host !== 'evil')
    headers.push(['Host', `${r.host === 'ok' ? '127.0.0.1' : 'localhost'}:${port}`]);
  else headers.push(['Host', 'evil.example']);
  if (r.auth === 'ok') headers.push(['Authorization', `Bearer ${token}`]);
  if (r.auth === 'wrong') headers.push(['Authorization', `Bearer x${token.slice(1)}`]);
  let target = r.target;
  if (r.auth === 'query') target += `${target.includes('?') ? '&' : '?'}token=${token}`;
  if (r.contentType !== null) headers.push(['Content-Type', r.contentType]);
  const body = r.body.k === 'text' ? Buffer.from(r.body.text, 'utf8') : renderBody(r.body, 1);
  return {
    raw: { method: r.method, target, headers, ...(body === undefined ? {} : { body }) },
    ...(body === undefined ? {} : { text: body.toString('utf8') }),
  };
}

export async function fuzzControl(
  cli: RunningCli,
  opts: { requests: number; seed: number; log?: (line: string) => void },
): Promise<ControlFuzzReport> {
  const log = opts.log ?? (() => undefined);
  const port = Number(new URL(cli.base).port);
  const tasks = controlTarget(cli);
  const problems: string[] = [];
  const byStatus: Record<string, number> = {};
  let skipped = 0;
  let networkChanges = 0;
  const members = (await cli.cluster()).nodes.map((n) => n.id);
  let state = controlState(await cli.cluster());
  let sum = await tasks.checksum();

  const requests = fc.sample(controlRequest, { seed: opts.seed, numRuns: opts.requests });
  for (const [i, req] of requests.entries()) {
    if (problems.length >= 10) break;
    const { raw, text } = toRaw(req, port, cli.token);
    const parsable = URL.canParse(raw.target, 'http://localhost');
    if (
      isDestructive(req.method, raw.target, text, members) ||
      (!parsable && steerAround('bad-url'))
    ) {
      skipped++;
      continue;
    }
    const fail = (what: string): void => {
      problems.push(
        `control API request ${i} (seed ${opts.seed}): ${what}\n    replay: ${replayCommand(port, raw)}`,
      );
      log(problems[problems.length - 1]);
    };
    let res;
    try {
      res = await sendRaw(port, raw, 30_000);
    } catch (e) {
      fail(`no answer: ${(e as Error).message}`);
      continue;
    }
    byStatus[res.status] = (byStatus[res.status] ?? 0) + 1;
    // The server routes on the parsed path; an unparsable target is judged as an API request.
    const isApi = !parsable || new URL(raw.target, 'http://localhost').pathname.startsWith('/api');
    const j = isApi
      ? judge(req.method, res)
      : { problems: res.status >= 500 ? [`HTTP ${res.status}`] : [], json: undefined };
    for (const p of j.problems) fail(p);
    const shown = res.body.toString('utf8');
    if (LEAKS.some((re) => re.test(shown)))
      fail(`served a file from outside the UI folder: ${shown.slice(0, 100)}`);

    const ok = res.status >= 200 && res.status < 300;
    const now = await cli.cluster();
    if (ok && req.method === 'PUT' && /\/network\/?$/.test(raw.target)) {
      networkChanges++;
      const asked = JSON.parse(text ?? '{}') as Partial<ClusterStatus['network']>;
      for (const k of ['partitions', 'links'] as const) {
        if (asked[k] !== undefined && JSON.stringify(now.network[k]) !== JSON.stringify(asked[k])) {
          fail(
            `network ${k} is ${JSON.stringify(now.network[k])}, asked ${JSON.stringify(asked[k])}`,
          );
        }
      }
      await cli.api('DELETE', '/api/network');
      await cli.leader(30_000);
    } else if (!ok || req.method === 'GET' || req.method === 'HEAD') {
      if (controlState(now) !== state)
        fail(`HTTP ${res.status} changed the cluster: ${controlState(now)}, was ${state}`);
      const s = await tasks.checksum();
      if (s !== sum) fail(`HTTP ${res.status} changed the tasks`);
      sum = s;
    }
    state = controlState(await cli.cluster());
    sum = await tasks.checksum();
    if ((i + 1) % 100 === 0) log(`control API: ${i + 1} requests, ${problems.length} problems`);
  }
  const ok = problems.length === 0;
  const statuses = Object.entries(byStatus)
    .map(([s, c]) => `${s}×${c}`)
    .join(' ');
  const summary =
    `control API fuzz: ${opts.requests - skipped} requests (seed ${opts.seed}; ${skipped} left out: ` +
    `valid fault actions, or known bugs): ${statuses}; ${networkChanges} network changes accepted; ` +
    `${problems.length} problems: ${ok ? 'OK' : 'FAILED'}`;
  return { ok, problems, byStatus, skipped, networkChanges, summary };
}
