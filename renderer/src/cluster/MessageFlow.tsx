/**
 * The live message flow: nodes on a circle, links between them (dashed when faulty, red when
 * cut), and the Raft messages the nodes really sent (sampled traces) flying along them, each
 * family with its own look. With reduced motion each message stands still on its link instead.
 */
import { useEffect, useState } from 'react';
import type { ClusterStatus } from '../../../cluster/api/control.js';
import { FLIGHT_MS, type Flight } from '../store/cluster.js';
import { useCluster, useStores } from '../store/context.js';
import { FAMILIES, FAMILY_LABELS, circleLayout, familyOf, linkState, type Point } from './flow.js';

const W = 320;
const H = 230;
const CENTER = { x: W / 2, y: H / 2 };
const NODE_R = 20;

function useReducedMotion(): boolean {
  const query = '(prefers-reduced-motion: reduce)';
  const get = (): boolean =>
    typeof window.matchMedia === 'function' && window.matchMedia(query).matches;
  const [reduced, setReduced] = useState(get);
  useEffect(() => {
    if (typeof window.matchMedia !== 'function') return;
    const m = window.matchMedia(query);
    const on = (): void => setReduced(m.matches);
    m.addEventListener('change', on);
    return () => m.removeEventListener('change', on);
  }, []);
  return reduced;
}

function Message(props: { f: Flight; from: Point; to: Point; reduced: boolean }) {
  const { f, from, to } = props;
  const { family, response } = familyOf(f.kind);
  const cls = `msg msg-${family}${response ? ' msg-resp' : ''}`;
  const dx = to.x - from.x;
  const dy = to.y - from.y;
  const len = Math.max(1, Math.hypot(dx, dy));
  const size = family === 'append' ? 3.5 + Math.min(3, Math.log2(f.entries + 1)) : 3;
  const shape =
    family === 'vote' ? (
      <rect x={-3.5} y={-3.5} width={7} height={7} transform="rotate(45)" />
    ) : family === 'snapshot' ? (
      <rect x={-4.5} y={-4.5} width={9} height={9} />
    ) : (
      <circle r={family === 'heartbeat' ? 2.5 : size} />
    );
  if (props.reduced) {
    // Nothing travels: the mark stands on the link, near its receiver, so the direction shows
    // and the link's own look (faulty, cut) stays visible.
    const side = (response ? -1 : 1) * 5;
    const x = from.x + dx * 0.7 - (dy / len) * side;
    const y = from.y + dy * 0.7 + (dx / len) * side;
    return (
      <g className={`${cls} msg-still`} transform={`translate(${x} ${y})`}>
        {shape}
      </g>
    );
  }
  // Start and end on the nodes' rims, not their centres.
  const sx = from.x + (dx / len) * NODE_R;
  const sy = from.y + (dy / len) * NODE_R;
  const travel = {
    '--dx': `${dx - (2 * dx * NODE_R) / len}px`,
    '--dy': `${dy - (2 * dy * NODE_R) / len}px`,
  };
  return (
    <g transform={`translate(${sx} ${sy})`}>
      <g
        className={`${cls} msg-fly`}
        style={{ ...travel, animationDuration: `${FLIGHT_MS * 0.8}ms` }}
      >
        {shape}
      </g>
    </g>
  );
}

export function MessageFlow(props: { status: ClusterStatus }) {
  const { cluster } = useStores();
  const flights = useCluster((s) => s.flights);
  const totals = useCluster((s) => s.messageTotals);
  const reduced = useReducedMotion();
  const { status } = props;
  const ids = status.nodes.map((n) => n.id);
  const pos = circleLayout(ids, CENTER, Math.min(W, H) / 2 - NODE_R - 8);

  // Without new events nothing would clear the last messages: prune once they are done.
  useEffect(() => {
    if (flights.length === 0) return;
    const t = setTimeout(() => cluster.getState().addMessages([]), FLIGHT_MS);
    return () => clearTimeout(t);
  }, [flights, cluster]);

  const pairs: [number, number][] = [];
  for (let i = 0; i < ids.length; i++)
    for (let j = i + 1; j < ids.length; j++) pairs.push([ids[i] as number, ids[j] as number]);

  return (
    <section className="message-flow" aria-labelledby="flow-heading">
      <h2 id="flow-heading">Message flow</h2>
      <svg
        viewBox={`0 0 ${W} ${H}`}
        role="img"
        aria-label={`Message flow between ${ids.length} nodes: ${flights.length} messages in flight`}
      >
        {pairs.map(([a, b]) => {
          const pa = pos.get(a) as Point;
          const pb = pos.get(b) as Point;
          return (
            <line
              key={`${a}-${b}`}
              className={`link link-${linkState(status, a, b)}`}
              x1={pa.x}
              y1={pa.y}
              x2={pb.x}
              y2={pb.y}
            />
          );
        })}
        {flights.map((f) => {
          const from = pos.get(f.from);
          const to = pos.get(f.to);
          if (from === undefined || to === undefined) return null;
          return <Message key={f.key} f={f} from={from} to={to} reduced={reduced} />;
        })}
        {status.nodes.map((n) => {
          const p = pos.get(n.id) as Point;
          return (
            <g key={n.id} className={`flow-node role-${n.role} status-${n.status}`}>
              <circle cx={p.x} cy={p.y} r={NODE_R} />
              <text x={p.x} y={p.y} dominantBaseline="central" textAnchor="middle">
                {n.id === status.leaderId ? `★${n.id}` : `n${n.id}`}
              </text>
            </g>
          );
        })}
      </svg>
      <ul className="flow-legend" aria-label="Messages seen since the view opened">
        {FAMILIES.map((f) => (
          <li key={f}>
            <svg className={`legend-mark msg-${f}`} viewBox="-6 -6 12 12" aria-hidden="true">
              {f === 'vote' ? (
                <rect x={-3.5} y={-3.5} width={7} height={7} transform="rotate(45)" />
              ) : f === 'snapshot' ? (
                <rect x={-4.5} y={-4.5} width={9} height={9} />
              ) : (
                <circle r={f === 'heartbeat' ? 2.5 : 4} />
              )}
            </svg>
            {FAMILY_LABELS[f]}: <span className="flow-count">{totals[f]}</span>
          </li>
        ))}
      </ul>
      <p className="flow-note">Hollow marks are responses. Sampled from the nodes’ real traffic.</p>
    </section>
  );
}
