/**
 * The projects slice: the cluster's projects in their order, and the writes that change them.
 * Projects are few and change rarely, so a write waits for its commit (retried with the same
 * Idempotency-Key while there is no quorum) and the list then shows the answer; a write that
 * cannot succeed leaves its reason in `error` for the sidebar to show.
 */
import { createStore, type StoreApi } from 'zustand/vanilla';
import type { ProjectWriteResponse } from '../../../cluster/api/node.js';
import type { Project, ProjectFields } from '../../../cluster/api/task.js';
import { isRetryable, toRequestError } from '../api/errors.js';
import { newIdempotencyKey } from '../api/keys.js';
import type { RaftboardApi, WriteOptions } from '../api/types.js';

export interface ProjectsState {
  /** By position, then name. */
  readonly projects: readonly Project[];
  readonly status: 'idle' | 'loading' | 'loaded' | 'error';
  /** Why the last read or write failed, until the next one succeeds. */
  readonly error: string | null;

  loadProjects(): Promise<void>;
  /** Each resolves to the project written (null when it failed; see `error`). */
  createProject(name: string, color?: string | null): Promise<Project | null>;
  updateProject(id: string, patch: Partial<ProjectFields>): Promise<Project | null>;
  /** One step up (-1) or down (+1) in the order. */
  moveProject(id: string, step: -1 | 1): Promise<Project | null>;
  deleteProject(id: string, tasks: 'keep' | 'delete'): Promise<boolean>;
  clearError(): void;
}

export interface ProjectsStoreOptions {
  readonly api: RaftboardApi;
  /** A delete moved or deleted tasks: the task list must be read again. */
  readonly onTasksChanged?: () => void;
  readonly newKey?: () => string;
  readonly retry?: { readonly attempts: number; readonly delayMs: number };
}

export type ProjectsStore = StoreApi<ProjectsState>;

export function sortProjects(list: readonly Project[]): Project[] {
  return [...list].sort((a, b) => a.position - b.position || a.name.localeCompare(b.name));
}

/** The position that puts a project between its neighbours after a one-step move. */
export function positionAfterMove(
  list: readonly Project[],
  id: string,
  step: -1 | 1,
): number | null {
  const i = list.findIndex((p) => p.id === id);
  const j = i + step;
  if (i < 0 || j < 0 || j >= list.length) return null;
  const passed = list[j] as Project;
  const beyond = list[j + step];
  if (beyond === undefined) return passed.position + step;
  return (passed.position + beyond.position) / 2;
}

export function createProjectsStore(options: ProjectsStoreOptions): ProjectsStore {
  const { api } = options;
  const newKey = options.newKey ?? newIdempotencyKey;
  const retry = options.retry ?? { attempts: 5, delayMs: 500 };

  return createStore<ProjectsState>()((set, get) => {
    /** One user action: the same key on every attempt, so a retry is applied at most once. */
    async function write(
      send: (o: WriteOptions) => Promise<ProjectWriteResponse>,
    ): Promise<ProjectWriteResponse | null> {
      const o = { idempotencyKey: newKey() };
      for (let attempt = 1; ; attempt++) {
        try {
          const res = await send(o);
          set({ error: null });
          return res;
        } catch (e) {
          const err = toRequestError(e);
          if (isRetryable(err) && attempt < retry.attempts) {
            await new Promise((r) => setTimeout(r, retry.delayMs * attempt));
            continue;
          }
          set({ error: `The project could not be saved: ${err.message}` });
          return null;
        }
      }
    }

    const put = (p: Project): Project => {
      set((s) => ({ projects: sortProjects([...s.projects.filter((x) => x.id !== p.id), p]) }));
      return p;
    };

    return {
      projects: [],
      status: 'idle',
      error: null,

      async loadProjects() {
        set({ status: 'loading' });
        try {
          const res = await api.listProjects();
          set({ projects: sortProjects(res.projects), status: 'loaded', error: null });
        } catch (e) {
          set({
            status: 'error',
            error: `Could not load the projects: ${toRequestError(e).message}`,
          });
        }
      },

      async createProject(name, color = null) {
        const list = get().projects;
        const position = list.length === 0 ? 1 : (list[list.length - 1] as Project).position + 1;
        const res = await write((o) =>
          api.createProject({ name: name.trim(), color, position }, o),
        );
        return res?.project ? put(res.project) : null;
      },

      async updateProject(id, patch) {
        const res = await write((o) => api.updateProject(id, patch, o));
        return res?.project ? put(res.project) : null;
      },

      async moveProject(id, step) {
        const position = positionAfterMove(get().projects, id, step);
        if (position === null) return null;
        return get().updateProject(id, { position });
      },

      async deleteProject(id, tasks) {
        const res = await write((o) => api.deleteProject(id, tasks, o));
        if (res === null) return false;
        set((s) => ({ projects: s.projects.filter((p) => p.id !== id) }));
        options.onTasksChanged?.();
        return true;
      },

      clearError: () => set({ error: null }),
    };
  });
}
