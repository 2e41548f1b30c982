/**
 * Each replica's database checksum at its applied index (`GET /api/checksums`). Replicas at the
 * same index must agree; one that differs from the majority is highlighted as diverged.
 */
import { useEffect } from 'react';
import type { ClusterChecksums, ReplicaChecksum } from '../../../cluster/api/control.js';
import { useCluster, useStores } from '../store/context.js';

const AUTO_MS = 5_000;

export function checksumsSummary(c: ClusterChecksums): string {
  const answered = c.replicas.filter((r) => r.checksum !== null);
  if (c.diverged.length > 0) {
    const who = c.diverged.map((id) => `node ${id}`).join(', ');
    return `Diverged: ${who} ${c.diverged.length === 1 ? 'differs' : 'differ'} from the majority at the same applied index.`;
  }
  if (answered.length === 0) return 'No replica answered.';
  const indexes = new Set(answered.map((r) => r.appliedIndex));
  const missing = c.replicas.length - answered.length;
  const tail = missing === 0 ? '' : ` (${missing} did not answer)`;
  if (indexes.size === 1) {
    return `All ${answered.length} replicas agree at index ${[...indexes][0]}${tail}.`;
  }
  return `No divergence; replicas are at different applied indexes, compare again once they catch up${tail}.`;
}

function verdict(r: ReplicaChecksum, diverged: readonly number[]): string {
  if (r.checksum === null) return r.error ?? 'no answer';
  return diverged.includes(r.nodeId) ? 'DIVERGED' : 'agrees';
}

export function ChecksumsPanel() {
  const { cluster } = useStores();
  const state = useCluster((s) => s.checksums);
  // Compared when the view opens and every few seconds while it stays open: a divergence
  // should show up without anyone asking.
  useEffect(() => {
    void cluster.getState().loadChecksums();
    const timer = setInterval(() => void cluster.getState().loadChecksums(), AUTO_MS);
    return () => clearInterval(timer);
  }, [cluster]);
  const c = state.result;
  return (
    <section className="checksums" aria-labelledby="checksums-heading">
      <h2 id="checksums-heading">Replica checksums</h2>
      {c !== null && (
        <p
          className={c.diverged.length > 0 ? 'checksums-summary bad' : 'checksums-summary'}
          role="status"
          aria-label="Checksum verdict"
        >
          {checksumsSummary(c)}
        </p>
      )}
      {state.error !== null && <p role="alert">{state.error}</p>}
      {c !== null && (
        <table aria-label="Replica checksums">
          <thead>
            <tr>
              <th scope="col">Node</th>
              <th scope="col">Applied</th>
              <th scope="col">Checksum</th>
              <th scope="col">Verdict</th>
            </tr>
          </thead>
          <tbody>
            {c.replicas.map((r) => (
              <tr key={r.nodeId} className={c.diverged.includes(r.nodeId) ? 'diverged' : undefined}>
                <th scope="row">Node {r.nodeId}</th>
                <td>{r.appliedIndex ?? '—'}</td>
                <td>
                  <code title={r.checksum ?? undefined}>
                    {r.checksum === null ? '—' : r.checksum.slice(0, 12)}
                  </code>
                </td>
                <td>{verdict(r, c.diverged)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      <button
        type="button"
        disabled={state.loading}
        onClick={() => void cluster.getState().loadChecksums()}
      >
        {state.loading ? 'Comparing…' : 'Compare checksums'}
      </button>
    </section>
  );
}
