/** Export (JSON or CSV) and Import… in the task toolbar, plus the reminders permission button. */
import { useRef, useState } from 'react';
import { NotifyButton } from '../reminders/NotifyButton.js';
import { useStores } from '../store/context.js';
import { exportAs, importFile, type ExportFormat } from './transfer.js';

export function TransferTools() {
  const stores = useStores();
  const input = useRef<HTMLInputElement>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = (what: () => Promise<unknown>): void => {
    setBusy(true);
    setError(null);
    what()
      .catch((e: unknown) => setError(e instanceof Error ? e.message : String(e)))
      .finally(() => setBusy(false));
  };
  const exportTo = (f: ExportFormat): void => run(() => exportAs(stores, f));

  return (
    <div className="transfer-tools" role="group" aria-label="Import and export">
      <NotifyButton />
      <button type="button" disabled={busy} onClick={() => exportTo('json')}>
        Export JSON
      </button>
      <button type="button" disabled={busy} onClick={() => exportTo('csv')}>
        Export CSV
      </button>
      <button type="button" disabled={busy} onClick={() => input.current?.click()}>
        Import…
      </button>
      <input
        ref={input}
        type="file"
        accept=".json,.csv,application/json,text/csv"
        aria-label="Import file"
        hidden
        onChange={(e) => {
          const file = e.target.files?.[0];
          e.target.value = ''; // the same file can be picked again
          if (file !== undefined) run(async () => importFile(stores, file.name, await file.text()));
        }}
      />
      {error !== null && (
        <span className="transfer-error" role="alert">
          {error}
        </span>
      )}
    </div>
  );
}
