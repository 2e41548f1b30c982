/**
 * One uPlot chart over time, owned by React: created on mount (and again when the colour scheme
 * flips, since a canvas keeps the colours it was drawn with), fed new data without being rebuilt,
 * resized with its box, destroyed on unmount. Leader changes are drawn as dashed vertical lines.
 * The canvas is hidden from screen readers; the figure around it carries the numbers as text.
 * uPlot is loaded on first use: it reads window.matchMedia as it loads, which a test DOM lacks,
 * and the window does not need it before the Metrics tab opens.
 */
import { useEffect, useRef } from 'react';
import type uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { themeColor, useColorScheme, type ThemeColor } from './theme.js';

export interface ChartSeries {
  readonly label: string;
  readonly color: ThemeColor;
  readonly values: readonly (number | null)[];
  /** `bars` for counts per second; lines otherwise. */
  readonly kind?: 'line' | 'bars' | 'step';
  /** A second y axis on the right (e.g. the term next to election counts). */
  readonly right?: boolean;
}

export interface TimeChartProps {
  /** Seconds since the epoch, oldest first. */
  readonly t: readonly number[];
  readonly series: readonly ChartSeries[];
  /** Where to draw leader changes, in seconds since the epoch. */
  readonly markers: readonly number[];
  readonly height: number;
  readonly yLabel: string;
  readonly rightLabel?: string;
}

let canvasSupport: boolean | null = null;

/** Whether this page can draw on a canvas at all (a test DOM cannot). */
export function canDrawCharts(): boolean {
  if (canvasSupport === null) {
    try {
      canvasSupport = document.createElement('canvas').getContext('2d') != null;
    } catch {
      canvasSupport = false;
    }
  }
  return canvasSupport;
}

function toData(props: TimeChartProps): uPlot.AlignedData {
  return [props.t as number[], ...props.series.map((s) => s.values as (number | null)[])];
}

type UPlotClass = typeof uPlot;

const WHOLE_STEPS = [1, 2, 5, 10, 20, 50, 100, 200, 500, 1000, 2000, 5000, 10_000, 20_000, 50_000];
/** Fixed axis widths, and room on the right where a chart has no right axis, so the time axes
 * of the stacked charts line up and a leader change sits at the same x in each. */
const AXIS_SIZE = 50;
const RIGHT_GUTTER = AXIS_SIZE + 30;

function options(
  U: UPlotClass,
  props: TimeChartProps,
  width: number,
  markers: { current: readonly number[] },
): uPlot.Options {
  const axis = (label: string, side?: 1): uPlot.Axis => ({
    label,
    // Counts, entries and milliseconds are whole numbers: no 0.5 ticks.
    incrs: WHOLE_STEPS,
    size: AXIS_SIZE,
    stroke: themeColor('muted'),
    grid: { stroke: themeColor('border'), width: 1 },
    ticks: { stroke: themeColor('border'), width: 1 },
    ...(side === undefined ? {} : { side, scale: 'right', grid: { show: false } }),
  });
  const bars = U.paths.bars?.({ size: [0.7, 12] });
  const stepped = U.paths.stepped?.({ align: 1 });
  return {
    width,
    height: props.height,
    legend: { show: false },
    ...(props.rightLabel === undefined ? { padding: [12, RIGHT_GUTTER, 0, 0] } : {}),
    cursor: { drag: { x: false, y: false } },
    scales: {
      // The data's own span, exactly: bars would otherwise widen it by half a bar, and the
      // stacked charts' time axes would no longer line up.
      x: { time: true, range: (_u, min, max) => [min, max] },
      // Counts and rates start at zero, so a quiet second does not look like a busy one.
      y: { range: (_u, _min, max) => [0, Math.max(1, max)] },
      right: { range: (_u, min, max) => [Math.max(0, min - 1), max + 1] },
    },
    axes: [
      {
        stroke: themeColor('muted'),
        grid: { show: false },
        ticks: { stroke: themeColor('border') },
        // One row of wall-clock times (uPlot's default adds a date row whose labels collide).
        space: 70,
        size: 30,
        values: (_u, splits) => splits.map((t) => new Date(t * 1000).toTimeString().slice(0, 8)),
      },
      axis(props.yLabel),
      ...(props.rightLabel === undefined ? [] : [axis(props.rightLabel, 1)]),
    ],
    series: [
      {},
      ...props.series.map((s): uPlot.Series => {
        const color = themeColor(s.color);
        return {
          label: s.label,
          stroke: color,
          width: 2,
          scale: s.right === true ? 'right' : 'y',
          spanGaps: false,
          points: { show: s.kind !== 'bars', size: 4 },
          ...(s.kind === 'bars' && bars !== undefined ? { paths: bars, fill: color } : {}),
          ...(s.kind === 'step' && stepped !== undefined ? { paths: stepped } : {}),
        };
      }),
    ],
    hooks: {
      draw: [
        (u) => {
          const ctx = u.ctx;
          ctx.save();
          ctx.strokeStyle = themeColor('bad');
          ctx.lineWidth = 1.5 * devicePixelRatio;
          ctx.setLineDash([5 * devicePixelRatio, 4 * devicePixelRatio]);
          for (const at of markers.current) {
            const x = Math.round(u.valToPos(at, 'x', true));
            if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
            ctx.beginPath();
            ctx.moveTo(x, u.bbox.top);
            ctx.lineTo(x, u.bbox.top + u.bbox.height);
            ctx.stroke();
          }
          ctx.restore();
        },
      ],
    },
  };
}

export function TimeChart(props: TimeChartProps) {
  const box = useRef<HTMLDivElement>(null);
  const plot = useRef<uPlot | null>(null);
  const latest = useRef(props);
  latest.current = props;
  const markers = useRef(props.markers);
  markers.current = props.markers;
  const scheme = useColorScheme();
  const shape = props.series.map((s) => `${s.label}:${s.kind ?? 'line'}`).join('|');
  const drawable = canDrawCharts();

  // (Re)creates the chart: on mount, when the colours change, when the series change.
  useEffect(() => {
    const el = box.current;
    if (el === null || !drawable) return;
    let gone = false;
    let u: uPlot | null = null;
    let resize: ResizeObserver | null = null;
    void import('uplot').then(({ default: U }) => {
      if (gone) return; // unmounted (or rebuilt) while loading
      const width = Math.max(200, el.clientWidth);
      const chart = new U(options(U, latest.current, width, markers), toData(latest.current), el);
      u = chart;
      plot.current = chart;
      resize = new ResizeObserver(() => {
        const w = Math.max(200, el.clientWidth);
        if (w !== chart.width) chart.setSize({ width: w, height: latest.current.height });
      });
      resize.observe(el);
    });
    return () => {
      gone = true;
      resize?.disconnect();
      u?.destroy();
      plot.current = null;
    };
  }, [scheme, shape, drawable]);

  // New numbers: the same chart, redrawn.
  useEffect(() => {
    plot.current?.setData(toData(props));
  }, [props]);

  return (
    <div className="chart" ref={box} aria-hidden="true" style={{ minHeight: props.height }}>
      {!drawable && <p className="empty">This page cannot draw charts; the numbers are beside.</p>}
    </div>
  );
}
