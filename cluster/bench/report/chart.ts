/**
 * The latency-against-throughput chart as a hand-written SVG: one colour per system, p50 as a
 * solid line and p99 dashed, a point per client count (labelled), both axes logarithmic because
 * the systems differ by orders of magnitude. Pure: rows in, SVG text out.
 */

export interface ChartPoint {
  /** Throughput (requests/s). */
  readonly x: number;
  /** Latency (ms). */
  readonly y: number;
  readonly label: string;
}

export interface ChartSeries {
  readonly name: string;
  readonly p50: readonly ChartPoint[];
  readonly p99: readonly ChartPoint[];
}

const W = 720;
const H = 440;
const M = { left: 70, right: 150, top: 40, bottom: 55 };
const COLOURS = ['#2563eb', '#dc2626', '#16a34a', '#9333ea'];

function esc(s: string): string {
  return s
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;');
}

/** 1-2-5 ticks covering [min, max] (both > 0). */
export function logTicks(min: number, max: number): number[] {
  const out: number[] = [];
  for (let e = Math.floor(Math.log10(min)); e <= Math.ceil(Math.log10(max)); e++) {
    for (const m of [1, 2, 5]) {
      const v = m * 10 ** e;
      if (v >= min / 1.0001 && v <= max * 1.0001) out.push(Number(v.toPrecision(6)));
    }
  }
  return out;
}

/** The axis range: whole 1-2-5 steps around the data, so the ticks frame it. */
function range(values: readonly number[]): [number, number] {
  const lo = Math.min(...values);
  const hi = Math.max(...values);
  const down = (v: number): number => {
    const e = 10 ** Math.floor(Math.log10(v));
    return [5, 2, 1].map((m) => m * e).find((s) => s <= v) ?? e;
  };
  const up = (v: number): number => {
    const e = 10 ** Math.floor(Math.log10(v));
    return [1, 2, 5, 10].map((m) => m * e).find((s) => s >= v) ?? 10 * e;
  };
  const a = down(lo);
  const b = up(hi);
  return a === b ? [a, b * 2] : [a, b];
}

function fmt(v: number): string {
  return v >= 1000 ? `${v / 1000}k` : String(v);
}

export function latencyChart(series: readonly ChartSeries[], title: string): string {
  const points = series
    .flatMap((s) => [...s.p50, ...s.p99])
    .filter((p) => Number.isFinite(p.x) && Number.isFinite(p.y) && p.x > 0 && p.y > 0);
  if (points.length === 0) throw new Error('the chart needs at least one point with x, y > 0');
  const [x0, x1] = range(points.map((p) => p.x));
  const [y0, y1] = range(points.map((p) => p.y));
  const pw = W - M.left - M.right;
  const ph = H - M.top - M.bottom;
  const sx = (x: number): number =>
    M.left + ((Math.log10(x) - Math.log10(x0)) / (Math.log10(x1) - Math.log10(x0))) * pw;
  const sy = (y: number): number =>
    M.top + ph - ((Math.log10(y) - Math.log10(y0)) / (Math.log10(y1) - Math.log10(y0))) * ph;
  const r = (v: number): string => v.toFixed(1);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${W}" height="${H}" viewBox="0 0 ${W} ${H}" font-family="sans-serif" font-size="12">`,
    `<rect width="${W}" height="${H}" fill="white"/>`,
    `<text x="${W / 2 - M.right / 2 + M.left / 2}" y="22" text-anchor="middle" font-size="15" font-weight="bold">${esc(title)}</text>`,
  ];
  for (const t of logTicks(x0, x1)) {
    out.push(
      `<line x1="${r(sx(t))}" y1="${M.top}" x2="${r(sx(t))}" y2="${M.top + ph}" stroke="#e5e7eb"/>`,
      `<text x="${r(sx(t))}" y="${M.top + ph + 16}" text-anchor="middle">${fmt(t)}</text>`,
    );
  }
  for (const t of logTicks(y0, y1)) {
    out.push(
      `<line x1="${M.left}" y1="${r(sy(t))}" x2="${M.left + pw}" y2="${r(sy(t))}" stroke="#e5e7eb"/>`,
      `<text x="${M.left - 6}" y="${r(sy(t) + 4)}" text-anchor="end">${fmt(t)}</text>`,
    );
  }
  out.push(
    `<rect x="${M.left}" y="${M.top}" width="${pw}" height="${ph}" fill="none" stroke="#6b7280"/>`,
    `<text x="${M.left + pw / 2}" y="${H - 14}" text-anchor="middle">throughput (writes/s, log scale)</text>`,
    `<text transform="translate(18 ${M.top + ph / 2}) rotate(-90)" text-anchor="middle">latency (ms, log scale)</text>`,
  );
  series.forEach((s, i) => {
    const colour = COLOURS[i % COLOURS.length];
    for (const [kind, pts, dash] of [
      ['p50', s.p50, ''],
      ['p99', s.p99, ' stroke-dasharray="6 4"'],
    ] as const) {
      const ok = pts.filter(
        (p) => p.x > 0 && p.y > 0 && Number.isFinite(p.x) && Number.isFinite(p.y),
      );
      if (ok.length === 0) continue;
      const d = ok.map((p) => `${r(sx(p.x))},${r(sy(p.y))}`).join(' ');
      out.push(
        `<polyline data-series="${esc(s.name)} ${kind}" points="${d}" fill="none" stroke="${colour}" stroke-width="2"${dash}/>`,
      );
      for (const p of ok) {
        out.push(
          `<circle cx="${r(sx(p.x))}" cy="${r(sy(p.y))}" r="3.5" fill="${colour}"/>`,
          `<text x="${r(sx(p.x) + 6)}" y="${r(sy(p.y) - 6)}" fill="${colour}" font-size="10">${esc(p.label)}</text>`,
        );
      }
    }
    const ly = M.top + 10 + i * 44;
    const lx = M.left + pw + 16;
    out.push(
      `<line x1="${lx}" y1="${ly}" x2="${lx + 28}" y2="${ly}" stroke="${colour}" stroke-width="2"/>`,
      `<text x="${lx + 34}" y="${ly + 4}">${esc(s.name)} p50</text>`,
      `<line x1="${lx}" y1="${ly + 18}" x2="${lx + 28}" y2="${ly + 18}" stroke="${colour}" stroke-width="2" stroke-dasharray="6 4"/>`,
      `<text x="${lx + 34}" y="${ly + 22}">${esc(s.name)} p99</text>`,
    );
  });
  out.push(
    `<text x="${M.left + pw + 16}" y="${M.top + 10 + series.length * 44 + 10}" font-size="10" fill="#6b7280">labels: concurrent clients</text>`,
    '</svg>',
  );
  return out.join('\n') + '\n';
}
