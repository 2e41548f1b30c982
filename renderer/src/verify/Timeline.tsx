/** The counterexample on a timeline: one row per client, a bar per operation (SVG). */
import type { Op } from '../../../cluster/verify/history.js';
import { ms, opText } from './describe.js';
import { layoutOps } from './timeline.js';

// Drawn about 1:1 in the Lessons view's side column, so its text stays readable.
const WIDTH = 360;
const LABEL = 44;
const ROW = 30;

export function Timeline(props: { ops: readonly Op[] }) {
  const plot = WIDTH - LABEL - 8;
  const layout = layoutOps(props.ops, plot);
  const height = layout.clients.length * ROW + 22;
  return (
    <figure className="history-timeline">
      <svg
        viewBox={`0 0 ${WIDTH} ${height}`}
        width="100%"
        role="img"
        aria-label={`Timeline of ${props.ops.length} operations by ${layout.clients.length} clients`}
      >
        <defs>
          <linearGradient id="open-end" x1="0" x2="1">
            <stop offset="0.6" stopColor="currentColor" stopOpacity="0.55" />
            <stop offset="1" stopColor="currentColor" stopOpacity="0" />
          </linearGradient>
        </defs>
        {layout.clients.map((c, i) => (
          <g key={c}>
            <text x={0} y={i * ROW + 19} className="tl-client">
              {c}
            </text>
            <line x1={LABEL} x2={WIDTH} y1={i * ROW + 28} y2={i * ROW + 28} className="tl-rule" />
          </g>
        ))}
        {layout.bars.map((b, i) => (
          <g key={i} transform={`translate(${LABEL + b.x}, ${b.row * ROW + 6})`}>
            <title>{opText(b.op)}</title>
            <rect
              width={b.width ?? plot - b.x}
              height={18}
              rx={3}
              className={b.width === null ? 'tl-bar open' : `tl-bar ${b.op.f}`}
              fill={b.width === null ? 'url(#open-end)' : undefined}
            />
            {/* Numbered like the list below, which has the full request and answer. */}
            <text x={4} y={14} className="tl-label">
              #{i + 1} {b.op.f}
              {b.op.out === null ? ' ?' : ''}
            </text>
          </g>
        ))}
        <text x={LABEL} y={height - 4} className="tl-axis">
          {ms(layout.from)}
        </text>
        <text x={WIDTH} y={height - 4} textAnchor="end" className="tl-axis">
          {ms(layout.to)}
        </text>
      </svg>
      <ol className="history-ops" aria-label="Operations that cannot be ordered">
        {props.ops.map((op, i) => (
          <li key={i}>{opText(op)}</li>
        ))}
      </ol>
    </figure>
  );
}
