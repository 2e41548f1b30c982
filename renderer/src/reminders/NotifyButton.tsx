/** Asks for desktop notifications (browsers allow the question only from a click). */
import { useStore } from 'zustand';
import { useStores } from '../store/context.js';
import { webNotifier } from './notify.js';

export function NotifyButton() {
  const { reminders } = useStores();
  const permission = useStore(reminders, (s) => s.permission);
  if (permission !== 'default') return null;
  return (
    <button
      type="button"
      title="Show a desktop notification when a task is due"
      onClick={() =>
        void webNotifier()
          .request()
          .then((p) => reminders.getState().setPermission(p))
      }
    >
      Enable reminders
    </button>
  );
}
