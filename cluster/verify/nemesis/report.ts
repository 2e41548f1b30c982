/**
 * What a nemesis run leaves behind, in `verify-results/<time>-seed<seed>/`:
 * - `report.json`: the figures, the faults, the anomalies, the counterexample (no history);
 * - `history.json`: every operation (the checker's input), for re-checking or other tools;
 * - `report.html`: one self-contained page (no network) with a timeline in the spirit of
 *   Porcupine's: a row per client with its operations as bars, fault bands across all rows,
 *   leader elections as ticks, and the counterexample's operations outlined in red.
 * And the one-line verdict the CLI prints.
 */
import fs from 'node:fs';
import path from 'node:path';
import { outageLine } from './outage.js';
import type { VerifyResult } from './run.js';

export function verdictLine(r: VerifyResult, reportPath?: string): string {
  const n = (x: number): string => x.toLocaleString('en-US');
  const faults = Object.entries(r.faults.byKind)
    .map(([k, v]) => `${k} ${v}`)
    .join(', ');
  const head = r.ok ? 'verify: OK' : 'verify: FAIL';
  const lin =
    r.linearizability.ok === true
      ? 'linearizable'
      : r.linearizability.ok === false
        ? `NOT linearizable (task ${r.linearizability.taskId})`
        : 'linearizability unknown';
  const kinds = [...new Set(r.anomalies.map((a) => a.kind))].join(', ');
  return (
    `${head} — ${n(r.ops.total)} ops (${n(r.ops.unknownWrites)} unknown), ` +
    `${r.faults.injected} faults (${faults || 'none'}), ${r.anomalies.length} anomalies` +
    `${kinds ? ` (${kinds})` : ''}; ${lin}; ${r.replicas.length} replicas` +
    `${r.options.plantedBug ? `; PLANTED BUG ${r.options.plantedBug}` : ''}; seed ${r.seed}` +
    `${reportPath ? ` — ${reportPath}` : ''}`
  );
}

export function writeReport(r: VerifyResult, outRoot: string): { dir: string; html: string } {
  const stamp = r.startedAt.replace(/[:.]/g, '-').replace(/Z$/, '');
  const dir = path.join(outRoot, `${stamp}-seed${r.seed}`);
  fs.mkdirSync(dir, { recursive: true });
  const { history, ...summary } = r;
  fs.writeFileSync(path.join(dir, 'report.json'), `${JSON.stringify(summary, null, 2)}\n`);
  fs.writeFileSync(path.join(dir, 'history.json'), JSON.stringify(history));
  const html = path.join(dir, 'report.html');
  fs.writeFileSync(html, renderHtml(r));
  return { dir, html };
}

/** JSON safe inside a <script> element. */
function embed(value: unknown): string {
  return JSON.stringify(value).replace(/</g, '\\u003c');
}

function esc(s: string): string {
  return s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
}

export function renderHtml(r: VerifyResult): string {
  const counter = r.linearizability.ok === false ? r.linearizability.counterexample : [];
  const data = {
    ops: r.history,
    faults: r.faultLog,
    elections: r.elections,
    end: r.history.reduce((m, o) => Math.max(m, o.ret ?? o.call), r.endedAt),
    counter: counter.map((o) => [o.client, o.call]),
  };
  const anomalies =
    r.anomalies.length === 0
      ? '<p class="ok">No anomalies.</p>'
      : `<ol>${r.anomalies.map((a) => `<li><b>${esc(a.kind)}</b><pre>${esc(a.message)}</pre></li>`).join('')}</ol>`;
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>Raftboard nemesis run — seed ${r.seed}</title>
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; script-src 'unsafe-inline'">
<style>
body{font:14px system-ui,sans-serif;margin:16px;color:#222}
h1{font-size:20px} .ok{color:#080;font-weight:bold} .bad{color:#b00;font-weight:bold}
pre{white-space:pre-wrap;background:#f6f6f6;padding:6px;font-size:12px}
table{border-collapse:collapse} td,th{border:1px solid #ccc;padding:2px 6px;text-align:left}
#tl{border:1px solid #ccc;overflow:auto;max-height:70vh} svg text{font-size:11px}
.legend span{display:inline-block;padding:0 6px;margin-right:4px;color:#fff}
</style></head><body>
<h1>Nemesis run — <span class="${r.ok ? 'ok' : 'bad'}">${r.ok ? 'OK' : 'ANOMALIES'}</span></h1>
<pre>${esc(verdictLine(r))}</pre>
<table>
<tr><th>started</th><td>${esc(r.startedAt)} (${Math.round(r.durationMs / 1000)} s in all)</td></tr>
<tr><th>cluster</th><td>${r.options.nodes} nodes, managed MySQL; ${r.options.clients} clients; nemesis ${esc(r.options.nemesis.join(', '))}${r.options.plantedBug ? `; <b>planted bug ${esc(r.options.plantedBug)}</b>` : ''}</td></tr>
<tr><th>operations</th><td>${esc(JSON.stringify(r.ops))}</td></tr>
<tr><th>faults</th><td>${r.faults.injected} injected of ${r.faults.total}: ${esc(JSON.stringify(r.faults.byKind))}</td></tr>
<tr><th>write outage</th><td>${esc(outageLine(r.writeOutage))}</td></tr>
<tr><th>check</th><td>${r.checkMs} ms</td></tr>
<tr><th>replicas</th><td>${r.replicas.map((x) => `n${x.nodeId}: index ${x.appliedIndex}, ${x.tasks} tasks, ${esc(x.checksum.slice(0, 12))}`).join('<br>')}</td></tr>
<tr><th>machine</th><td>${esc(`${r.machine.cpus} × ${r.machine.cpuModel}, ${r.machine.memGb} GB, ${r.machine.platform}, Node ${r.machine.node}`)}</td></tr>
</table>
<h2>Anomalies</h2>${anomalies}
<h2>Timeline</h2>
<p class="legend"><span style="background:#2a8">create</span><span style="background:#37c">read</span><span style="background:#e80">update</span><span style="background:#c33">delete</span><span style="background:#999">unknown outcome</span>
fault bands shaded; ▼ elections; <b style="color:#d00">red outline</b>: the counterexample.
Zoom <button id="zin">+</button><button id="zout">−</button> <button id="all">whole run</button>${counter.length > 0 ? ' <button id="ce">counterexample</button>' : ''}
<span id="info"></span></p>
<div id="tl"></div>
<h2>Faults</h2>
<table><tr><th>start (s)</th><th>end (s)</th><th>kind</th><th>what</th><th>ok</th></tr>
${r.faultLog.map((f) => `<tr><td>${(f.start / 1000).toFixed(1)}</td><td>${f.end === null ? '' : (f.end / 1000).toFixed(1)}</td><td>${esc(f.kind)}</td><td>${esc(f.detail)}</td><td>${f.ok ? 'yes' : esc(f.error ?? 'no')}</td></tr>`).join('\n')}
</table>
<script type="application/json" id="data">${embed(data)}</script>
<script>
${TIMELINE_JS}
</script>
</body></html>
`;
}

/** The timeline: an SVG redrawn for the visible time window. */
const TIMELINE_JS = `
const D = JSON.parse(document.getElementById('data').textContent);
const clients = [...new Set(D.ops.map(o => o.client))].sort((a, b) => a.localeCompare(b, 'en', {numeric: true}));
const row = new Map(clients.map((c, i) => [c, i]));
const counter = new Set(D.counter.map(([c, t]) => c + '@' + t));
const color = {create: '#2a8', read: '#37c', update: '#e80', delete: '#c33'};
let t0 = 0, t1 = D.end;
const W = 1400, ROW = 14, TOP = 24, LEFT = 70;
function draw() {
  const H = TOP + clients.length * ROW + 10;
  const x = t => LEFT + (t - t0) / (t1 - t0) * (W - LEFT - 10);
  const parts = [];
  for (const f of D.faults) {
    const a = Math.max(f.start, t0), b = Math.min(f.end ?? D.end, t1);
    if (b < a) continue;
    parts.push('<rect x="' + x(a) + '" y="0" width="' + Math.max(1, x(b) - x(a)) + '" height="' + H + '" fill="' + (f.ok ? '#f3c' : '#ccc') + '" opacity="0.13"><title>' + f.kind + ': ' + f.detail.replace(/</g, '&lt;') + '</title></rect>');
    parts.push('<text x="' + (x(a) + 2) + '" y="10" fill="#a08">' + f.kind + '</text>');
  }
  for (const e of D.elections) {
    if (e.at < t0 || e.at > t1) continue;
    parts.push('<text x="' + (x(e.at) - 4) + '" y="20" fill="#000">▼<title>n' + e.leaderId + ' leader, term ' + e.term + '</title></text>');
  }
  clients.forEach((c, i) => parts.push('<text x="2" y="' + (TOP + i * ROW + 10) + '">' + c + '</text>'));
  for (const o of D.ops) {
    const end = o.ret === null ? D.end : o.ret;
    if (end < t0 || o.call > t1) continue;
    const a = x(Math.max(o.call, t0)), b = x(Math.min(end, t1));
    const y = TOP + row.get(o.client) * ROW;
    const bad = counter.has(o.client + '@' + o.call);
    const fill = o.ret === null ? '#999' : color[o.f];
    const id = o.f === 'create' ? (o.out && o.out.task ? o.out.task.id : (o.taskId || '?')) : o.taskId;
    const out = o.out === null ? 'unknown' : o.out.status + (o.out.task ? ' v' + o.out.task.version : '');
    const title = o.f + ' ' + id + ' [' + o.call.toFixed(1) + ' – ' + (o.ret === null ? '?' : o.ret.toFixed(1)) + ' ms] → ' + out;
    parts.push('<rect x="' + a + '" y="' + (y + 2) + '" width="' + Math.max(1.5, b - a) + '" height="' + (ROW - 4) + '" fill="' + fill + '"' + (bad ? ' stroke="#d00" stroke-width="3"' : '') + (o.ret === null ? ' opacity="0.5"' : '') + '><title>' + title + '</title></rect>');
  }
  document.getElementById('tl').innerHTML = '<svg xmlns="http://www.w3.org/2000/svg" width="' + W + '" height="' + H + '">' + parts.join('') + '</svg>';
  document.getElementById('info').textContent = (t0 / 1000).toFixed(2) + ' s – ' + (t1 / 1000).toFixed(2) + ' s';
}
function zoom(f) { const m = (t0 + t1) / 2, h = (t1 - t0) * f / 2; t0 = Math.max(0, m - h); t1 = Math.min(D.end, m + h); draw(); }
document.getElementById('zin').onclick = () => zoom(0.5);
document.getElementById('zout').onclick = () => zoom(2);
document.getElementById('all').onclick = () => { t0 = 0; t1 = D.end; draw(); };
const ce = document.getElementById('ce');
function showCounter() {
  const ts = D.ops.filter(o => counter.has(o.client + '@' + o.call)).flatMap(o => [o.call, o.ret === null ? o.call : o.ret]);
  const a = Math.min(...ts), b = Math.max(...ts), pad = Math.max(20, (b - a) * 0.3);
  t0 = Math.max(0, a - pad); t1 = Math.min(D.end, b + pad); draw();
}
if (ce) ce.onclick = showCounter;
if (D.counter.length > 0) showCounter(); else draw();
`;
