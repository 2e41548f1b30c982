/**
 * The Metrics tab: throughput, commit latency and elections over the last two minutes, per second,
 * with leader changes marked, and the slow-motion slider. Each chart sits in a figure whose
 * caption says the same numbers in words (the canvas is invisible to screen readers).
 */
import { useEffect, useId, type ReactNode } from 'react';
import { useStore } from 'zustand';
import { SlowMotionControl } from '../shell/SlowMotion.js';
import { useStores } from '../store/context.js';
import '../styles/metrics.css';
import { electionsText, latencyText, throughputText, windowText } from './summary.js';
import { TimeChart, type ChartSeries } from './TimeChart.js';

const CHART_HEIGHT = 170;

function Metric(props: {
  title: string;
  summary: string;
  keys: ChartSeries[];
  children: ReactNode;
}) {
  const id = useId();
  return (
    <figure className="metric" aria-labelledby={`${id}-title`} aria-describedby={`${id}-sum`}>
      {props.children}
      <figcaption>
        <h2 id={`${id}-title`}>{props.title}</h2>
        <p id={`${id}-sum`} className="metric-summary">
          {props.summary}
        </p>
        <ul className="metric-keys" aria-hidden="true">
          {props.keys.map((k) => (
            <li key={k.label}>
              <span className={`swatch swatch-${k.color}`} />
              {k.label}
            </li>
          ))}
        </ul>
      </figcaption>
    </figure>
  );
}

export function MetricsView() {
  const { metrics } = useStores();
  const snapshot = useStore(metrics, (s) => s.snapshot);

  // A fresh snapshot each second, whether or not events arrive: a quiet cluster reads as zero.
  useEffect(() => {
    metrics.getState().tick();
    const timer = setInterval(() => metrics.getState().tick(), 1000);
    return () => clearInterval(timer);
  }, [metrics]);

  const { series } = snapshot;
  const markers = snapshot.leaderChanges.map((c) => c.at / 1000);
  const throughput: ChartSeries[] = [
    { label: 'entries/s', color: 'accent', values: series.throughput },
  ];
  const latency: ChartSeries[] = [
    { label: 'median', color: 'ok', values: series.latencyP50 },
    { label: 'max', color: 'pending', values: series.latencyMax },
  ];
  const elections: ChartSeries[] = [
    { label: 'elections', color: 'bad', values: series.elections, kind: 'bars' },
    { label: 'term', color: 'accent', values: series.term, kind: 'step', right: true },
  ];

  return (
    <section aria-label="Metrics" className="metrics-view">
      <div className="metrics-top">
        <SlowMotionControl />
        <p className="metrics-note">
          Last {windowText(snapshot.windowS)}, per second. Dashed lines mark leader changes.
        </p>
      </div>
      <Metric title="Throughput" summary={throughputText(snapshot)} keys={throughput}>
        <TimeChart
          t={series.t}
          series={throughput}
          markers={markers}
          height={CHART_HEIGHT}
          yLabel="entries/s"
        />
      </Metric>
      <Metric title="Commit latency" summary={latencyText(snapshot)} keys={latency}>
        <TimeChart
          t={series.t}
          series={latency}
          markers={markers}
          height={CHART_HEIGHT}
          yLabel="ms"
        />
      </Metric>
      <Metric title="Elections" summary={electionsText(snapshot)} keys={elections}>
        <TimeChart
          t={series.t}
          series={elections}
          markers={markers}
          height={CHART_HEIGHT}
          yLabel="per s"
          rightLabel="term"
        />
      </Metric>
    </section>
  );
}
