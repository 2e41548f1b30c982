/**
 * Edit one project: rename, colour, move up or down in the sidebar, or delete it — asking
 * whether its tasks go to the Inbox or are deleted with it.
 */
import { useState, type FormEvent } from 'react';
import { PROJECT_NAME_MAX, type Project } from '../../../cluster/api/task.js';
import { useStores } from '../store/context.js';
import { Modal } from './Modal.js';

const DEFAULT_COLOR = '#7a8591';

export function ProjectDialog(props: { project: Project; onClose: () => void }) {
  const { projects, ui } = useStores();
  const { project } = props;
  const [name, setName] = useState(project.name);
  const [color, setColor] = useState(project.color ?? DEFAULT_COLOR);
  const [tasks, setTasks] = useState<'keep' | 'delete'>('keep');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const save = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    const trimmed = name.trim();
    if (trimmed === '' || [...trimmed].length > PROJECT_NAME_MAX) {
      setError(`The name must be 1 to ${PROJECT_NAME_MAX} characters.`);
      return;
    }
    const patch = {
      ...(trimmed === project.name ? {} : { name: trimmed }),
      ...(color === (project.color ?? DEFAULT_COLOR) ? {} : { color }),
    };
    if (Object.keys(patch).length === 0) return props.onClose();
    setBusy(true);
    const saved = await projects.getState().updateProject(project.id, patch);
    setBusy(false);
    if (saved === null) setError(projects.getState().error);
    else props.onClose();
  };

  const remove = async (): Promise<void> => {
    setBusy(true);
    const ok = await projects.getState().deleteProject(project.id, tasks);
    setBusy(false);
    if (!ok) return setError(projects.getState().error);
    const scope = ui.getState().scope;
    if (scope.kind === 'project' && scope.id === project.id)
      ui.getState().setScope({ kind: 'all' });
    props.onClose();
  };

  return (
    <Modal heading={`Edit project “${project.name}”`} onClose={props.onClose}>
      <form noValidate onSubmit={(e) => void save(e)}>
        <div className="field-row">
          <div className="field">
            <label htmlFor="project-name">Name</label>
            <input
              id="project-name"
              autoFocus
              value={name}
              maxLength={PROJECT_NAME_MAX * 2}
              onChange={(e) => setName(e.target.value)}
            />
          </div>
          <div className="field">
            <label htmlFor="project-color">Colour</label>
            <input
              id="project-color"
              type="color"
              value={color}
              onChange={(e) => setColor(e.target.value)}
            />
          </div>
        </div>
        <div className="dialog-buttons">
          <button type="submit" className="primary" disabled={busy}>
            Save project
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => void projects.getState().moveProject(project.id, -1)}
          >
            Move up
          </button>
          <button
            type="button"
            disabled={busy}
            onClick={() => void projects.getState().moveProject(project.id, 1)}
          >
            Move down
          </button>
          <button type="button" onClick={props.onClose}>
            Cancel
          </button>
        </div>
      </form>
      <fieldset className="project-delete">
        <legend>Delete the project</legend>
        <label>
          <input
            type="radio"
            name="project-tasks"
            checked={tasks === 'keep'}
            onChange={() => setTasks('keep')}
          />
          Keep its tasks (they move to the Inbox)
        </label>
        <label>
          <input
            type="radio"
            name="project-tasks"
            checked={tasks === 'delete'}
            onChange={() => setTasks('delete')}
          />
          Delete its tasks too
        </label>
        <button type="button" className="danger" disabled={busy} onClick={() => void remove()}>
          Delete project
        </button>
      </fieldset>
      {error !== null && (
        <p className="field-error" role="alert">
          {error}
        </p>
      )}
    </Modal>
  );
}
