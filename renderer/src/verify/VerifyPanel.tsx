/**
 * "Check the cluster yourself" (issue 6 §5): record what this window and some background clients
 * do to the tasks, then ask the supervisor whether that history is linearizable. On failure it
 * shows the operations of one task that no single order can explain.
 */
import { useEffect } from 'react';
import { useStore } from 'zustand';
import { useStores } from '../store/context.js';
import { verifyStoreFor } from './store-for.js';
import { MAX_CLIENTS } from './session.js';
import { Timeline } from './Timeline.js';
import './verify.css';

const POLL_MS = 1000;

export function VerifyPanel() {
  const store = verifyStoreFor(useStores());
  const s = useStore(store);
  const recording = s.recording?.recording === true;

  useEffect(() => {
    void store.getState().refresh();
    if (!recording) return;
    const t = setInterval(() => void store.getState().refresh(), POLL_MS);
    return () => clearInterval(t);
  }, [store, recording]);

  const r = s.result;
  return (
    <section className="verify-panel" aria-labelledby="verify-title">
      <h2 id="verify-title">Check the cluster yourself</h2>
      <p className="verify-help">
        Record a session: every task change made in this window (and by optional background clients)
        is logged with when it was sent and answered. Then check that some single order of those
        operations explains every answer: that the cluster is linearizable. Try faults from the
        Cluster tab or a lesson while it records.
      </p>
      <div className="verify-controls">
        <label>
          Background clients
          <input
            type="number"
            min={0}
            max={MAX_CLIENTS}
            value={s.clients}
            disabled={recording || s.busy !== null}
            onChange={(e) => s.setClients(e.currentTarget.valueAsNumber)}
          />
        </label>
        {recording ? (
          <button type="button" disabled={s.busy !== null} onClick={() => void s.stop()}>
            Stop recording
          </button>
        ) : (
          <button type="button" disabled={s.busy !== null} onClick={() => void s.start()}>
            Start recording
          </button>
        )}
        <button
          type="button"
          className="primary"
          disabled={s.busy !== null || s.recording === null || s.recording.startedAt === null}
          onClick={() => void s.check()}
        >
          {s.busy === 'check' ? 'Checking…' : 'Check linearizability'}
        </button>
      </div>
      <p role="status" aria-label="Recording" className="verify-recording">
        {recordingText(s.recording)}
      </p>
      {s.error !== null && (
        <p role="alert" className="verify-error">
          {s.error}
        </p>
      )}
      {r !== null && (
        <div className={`verify-result verdict-${r.verdict}`}>
          <p role="status" aria-label="Verdict">
            <strong>{verdictWord(r.verdict)}</strong> {r.summary}
          </p>
          {r.reason !== undefined && <p>{r.reason}</p>}
          {r.counterexample !== undefined && (
            <div className="counterexample">
              <p className="ce-explanation">
                {r.counterexample.explanation.includes(r.counterexample.taskId)
                  ? ''
                  : `Task ${r.counterexample.taskId}: `}
                {r.counterexample.explanation}
                {r.counterexample.minimal ? ' (a minimal set of operations)' : ''}
              </p>
              <Timeline ops={r.counterexample.ops} />
            </div>
          )}
        </div>
      )}
    </section>
  );
}

function verdictWord(v: string): string {
  if (v === 'linearizable') return 'Linearizable.';
  if (v === 'not-linearizable') return 'Not linearizable!';
  return 'Unknown.';
}

function recordingText(
  r: { recording: boolean; operations: number; clients: number; startedAt: string | null } | null,
): string {
  if (r === null) return 'Reading the recorder…';
  const ops = `${r.operations} operation${r.operations === 1 ? '' : 's'}`;
  if (r.recording) {
    return `Recording: ${ops} so far, ${r.clients} background client${r.clients === 1 ? '' : 's'}.`;
  }
  if (r.startedAt === null) return 'Not recording. Nothing recorded yet.';
  return `Not recording. The last recording holds ${ops}.`;
}
