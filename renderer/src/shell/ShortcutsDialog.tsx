/** The `?` dialog: every keyboard shortcut of the window. */
import { Fragment } from 'react';
import { useStores, useUi } from '../store/context.js';
import { Modal } from '../tasks/Modal.js';
import { SHORTCUTS } from './shortcut-list.js';

export function ShortcutsDialog() {
  const { ui } = useStores();
  const open = useUi((s) => s.shortcutsOpen);
  if (!open) return null;
  const close = (): void => ui.getState().setShortcutsOpen(false);
  return (
    <Modal heading="Keyboard shortcuts" onClose={close} className="shortcuts-dialog">
      {SHORTCUTS.map((g) => (
        <section key={g.title} aria-label={g.title}>
          <h3>{g.title}</h3>
          <dl className="shortcut-list">
            {g.keys.map((k) => (
              <Fragment key={k.what}>
                <dt>
                  {k.keys.map((key, i) => (
                    <Fragment key={key}>
                      {i > 0 && (k.keys[0] === 'Ctrl' || k.keys[0] === 'Alt' ? '+' : ' ')}
                      <kbd>{key}</kbd>
                    </Fragment>
                  ))}
                </dt>
                <dd>{k.what}</dd>
              </Fragment>
            ))}
          </dl>
        </section>
      ))}
      <div className="dialog-buttons">
        <button type="button" className="primary" autoFocus onClick={close}>
          Close
        </button>
      </div>
    </Modal>
  );
}
