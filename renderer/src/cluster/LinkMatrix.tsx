/**
 * The directed link faults as a matrix: row = sender, column = receiver, each cell a drop
 * percentage and a delay. Edits stay local until applied; applying replaces the links only
 * (partitions are the partition editor's).
 */
import { useState } from 'react';
import type { ClusterStatus } from '../../../cluster/api/control.js';
import { busyKey } from '../store/cluster.js';
import { useCluster, useStores } from '../store/context.js';
import {
  cellKey,
  cellsFromLinks,
  delayProblem,
  dropProblem,
  linksFromCells,
  type CellText,
} from './links.js';

export function LinkMatrix(props: { status: ClusterStatus }) {
  const { cluster } = useStores();
  const busy = useCluster((s) => s.busy);
  const ids = props.status.nodes.map((n) => n.id);
  const live = cellsFromLinks(props.status.network.links);
  const [edits, setEdits] = useState<Record<string, CellText>>({});
  const cells = { ...live, ...edits };
  const cell = (from: number, to: number): CellText =>
    cells[cellKey(from, to)] ?? { drop: '', delay: '' };
  const edit = (from: number, to: number, field: keyof CellText, value: string): void =>
    setEdits((e) => ({ ...e, [cellKey(from, to)]: { ...cell(from, to), [field]: value } }));

  let problem: string | null = null;
  try {
    linksFromCells(ids, cells);
  } catch (e) {
    problem = (e as Error).message;
  }
  const faults = props.status.network.links.length;

  return (
    <section className="link-matrix" aria-labelledby="links-heading">
      <h2 id="links-heading">Link faults</h2>
      <p>
        Drop % and delay (ms) per direction. Now:{' '}
        <span className="links-now">
          {faults === 0 ? 'no link faults' : `${faults} faulty link${faults === 1 ? '' : 's'}`}
        </span>
      </p>
      <table>
        <caption className="visually-hidden">Rows send, columns receive</caption>
        <thead>
          <tr>
            <th scope="col">from ↓ to →</th>
            {ids.map((to) => (
              <th key={to} scope="col">
                n{to}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {ids.map((from) => (
            <tr key={from}>
              <th scope="row">n{from}</th>
              {ids.map((to) => {
                if (from === to) return <td key={to} className="self" aria-hidden="true" />;
                const c = cell(from, to);
                return (
                  <td key={to}>
                    <input
                      type="text"
                      inputMode="decimal"
                      placeholder="0 %"
                      aria-label={`Drop % from node ${from} to node ${to}`}
                      aria-invalid={dropProblem(c.drop) !== null}
                      value={c.drop}
                      onChange={(e) => edit(from, to, 'drop', e.target.value)}
                    />
                    <input
                      type="text"
                      inputMode="numeric"
                      placeholder="0 ms"
                      aria-label={`Delay ms from node ${from} to node ${to}`}
                      aria-invalid={delayProblem(c.delay) !== null}
                      value={c.delay}
                      onChange={(e) => edit(from, to, 'delay', e.target.value)}
                    />
                  </td>
                );
              })}
            </tr>
          ))}
        </tbody>
      </table>
      {problem !== null && (
        <p className="field-error" role="alert">
          {problem}
        </p>
      )}
      <div className="partition-buttons">
        <button
          type="button"
          className="primary"
          disabled={problem !== null || busy[busyKey(0, 'links')] === true}
          onClick={() => {
            void cluster.getState().setLinks(linksFromCells(ids, cells));
            setEdits({});
          }}
        >
          Apply link faults
        </button>
        <button
          type="button"
          disabled={busy[busyKey(0, 'links')] === true}
          onClick={() => {
            void cluster.getState().setLinks([]);
            setEdits({});
          }}
        >
          Clear link faults
        </button>
      </div>
    </section>
  );
}
