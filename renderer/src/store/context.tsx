/** Hands the window's stores to components, and typed hooks to read them with a selector. */
import { createContext, useContext, type ReactNode } from 'react';
import { useStore } from 'zustand';
import type { ClusterState } from './cluster.js';
import type { EventsState } from './events.js';
import type { ProjectsState } from './projects.js';
import type { SettingsState } from './settings.js';
import type { Stores } from './stores.js';
import type { TasksState } from './tasks.js';
import type { UiState } from './ui.js';

const StoresContext = createContext<Stores | null>(null);

export function StoresProvider(props: { stores: Stores; children: ReactNode }) {
  return <StoresContext.Provider value={props.stores}>{props.children}</StoresContext.Provider>;
}

export function useStores(): Stores {
  const stores = useContext(StoresContext);
  if (stores === null) throw new Error('useStores outside <StoresProvider>');
  return stores;
}

export function useTasks<T>(select: (s: TasksState) => T): T {
  return useStore(useStores().tasks, select);
}

export function useProjects<T>(select: (s: ProjectsState) => T): T {
  return useStore(useStores().projects, select);
}

export function useCluster<T>(select: (s: ClusterState) => T): T {
  return useStore(useStores().cluster, select);
}

export function useEvents<T>(select: (s: EventsState) => T): T {
  return useStore(useStores().events, select);
}

export function useSettings<T>(select: (s: SettingsState) => T): T {
  return useStore(useStores().settings, select);
}

export function useUi<T>(select: (s: UiState) => T): T {
  return useStore(useStores().ui, select);
}
