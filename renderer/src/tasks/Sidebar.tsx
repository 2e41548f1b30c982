/**
 * The tasks tab's sidebar: the smart views (Inbox, Today, Upcoming, Overdue), the projects (add
 * one here; rename, colour, reorder and delete in its dialog) and the tags in use, each with its
 * count. A click scopes the list, the board and the calendar to it.
 */
import { useState, type FormEvent, type ReactNode } from 'react';
import { PROJECT_NAME_MAX, type Project } from '../../../cluster/api/task.js';
import { useProjects, useStores, useUi } from '../store/context.js';
import type { Scope } from '../store/ui.js';
import { ProjectDialog } from './ProjectDialog.js';
import type { ScopeCounts } from './scope.js';

function same(a: Scope, b: Scope): boolean {
  if (a.kind !== b.kind) return false;
  if (a.kind === 'project' && b.kind === 'project') return a.id === b.id;
  if (a.kind === 'tag' && b.kind === 'tag') return a.name.toLowerCase() === b.name.toLowerCase();
  return true;
}

function Item(props: { scope: Scope; count: number; className?: string; children: ReactNode }) {
  const { ui } = useStores();
  const current = useUi((s) => same(s.scope, props.scope));
  return (
    <button
      type="button"
      className={`scope ${props.className ?? ''}`}
      aria-current={current ? 'true' : undefined}
      onClick={() => ui.getState().setScope(props.scope)}
    >
      <span className="scope-name">{props.children}</span>
      <span className="count">{props.count}</span>
    </button>
  );
}

function NewProject(props: { onDone: () => void }) {
  const { projects } = useStores();
  const [name, setName] = useState('');
  const submit = async (e: FormEvent): Promise<void> => {
    e.preventDefault();
    if (name.trim() === '') return props.onDone();
    const made = await projects.getState().createProject(name);
    if (made !== null) props.onDone();
  };
  return (
    <form className="new-project" onSubmit={(e) => void submit(e)}>
      <input
        autoFocus
        aria-label="New project name"
        placeholder="Project name"
        value={name}
        maxLength={PROJECT_NAME_MAX}
        onChange={(e) => setName(e.target.value)}
        onKeyDown={(e) => {
          if (e.key === 'Escape') props.onDone();
        }}
      />
      <button type="submit">Add</button>
    </form>
  );
}

export function Sidebar(props: { counts: ScopeCounts }) {
  const { projects } = useStores();
  const list = useProjects((s) => s.projects);
  const error = useProjects((s) => s.error);
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<Project | null>(null);
  const { counts } = props;

  return (
    <nav className="sidebar" aria-label="Task views">
      <ul className="scopes">
        <li>
          <Item scope={{ kind: 'all' }} count={counts.all}>
            All tasks
          </Item>
        </li>
        <li>
          <Item scope={{ kind: 'inbox' }} count={counts.inbox}>
            Inbox
          </Item>
        </li>
        <li>
          <Item scope={{ kind: 'today' }} count={counts.today}>
            Today
          </Item>
        </li>
        <li>
          <Item scope={{ kind: 'upcoming' }} count={counts.upcoming}>
            Upcoming
          </Item>
        </li>
        <li>
          <Item
            scope={{ kind: 'overdue' }}
            count={counts.overdue}
            className={counts.overdue > 0 ? 'has-overdue' : ''}
          >
            Overdue
          </Item>
        </li>
      </ul>

      <div className="sidebar-heading">
        <h2 id="sidebar-projects">Projects</h2>
        <button
          type="button"
          className="icon"
          aria-label="Add project"
          aria-expanded={adding}
          onClick={() => setAdding((a) => !a)}
        >
          +
        </button>
      </div>
      {adding && <NewProject onDone={() => setAdding(false)} />}
      <ul className="scopes" aria-labelledby="sidebar-projects">
        {list.map((p) => (
          <li key={p.id} className="project-item">
            <Item scope={{ kind: 'project', id: p.id }} count={counts.byProject.get(p.id) ?? 0}>
              <span className="dot" style={{ background: p.color ?? undefined }} aria-hidden />
              {p.name}
            </Item>
            <button
              type="button"
              className="icon"
              aria-label={`Edit project “${p.name}”`}
              onClick={() => setEditing(p)}
            >
              ⋯
            </button>
          </li>
        ))}
        {list.length === 0 && !adding && <li className="empty">No projects yet</li>}
      </ul>

      <h2 id="sidebar-tags">Tags</h2>
      <ul className="scopes" aria-labelledby="sidebar-tags">
        {counts.tags.map((t) => (
          <li key={t.name}>
            <Item scope={{ kind: 'tag', name: t.name }} count={t.count}>
              #{t.name}
            </Item>
          </li>
        ))}
        {counts.tags.length === 0 && <li className="empty">No tags yet</li>}
      </ul>

      {error !== null && editing === null && (
        <p className="sidebar-error" role="alert">
          {error}{' '}
          <button type="button" onClick={() => projects.getState().clearError()}>
            Dismiss
          </button>
        </p>
      )}
      {editing !== null && (
        <ProjectDialog
          key={editing.id}
          project={list.find((p) => p.id === editing.id) ?? editing}
          onClose={() => setEditing(null)}
        />
      )}
    </nav>
  );
}
