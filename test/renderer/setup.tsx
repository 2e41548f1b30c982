/**
 * Builds the window's stores around a FakeApi for a test, with settings kept nowhere, quick
 * retries, and events applied as soon as they arrive (no animation frames in jsdom).
 */
import { render } from '@testing-library/react';
import { App } from '../../renderer/src/App.js';
import type { Settings } from '../../renderer/src/store/settings.js';
import { createStores, type Stores, type StoresOptions } from '../../renderer/src/store/stores.js';
import { FakeApi } from './fake-api.js';

export interface TestStoresOptions {
  readonly settings?: Partial<Settings>;
  readonly retry?: StoresOptions['retry'];
}

export function testStores(api: FakeApi, o: TestStoresOptions = {}): Stores {
  return createStores(api, {
    storage: null,
    retry: o.retry ?? { baseMs: 20, maxMs: 20 },
    settings: { undoMs: 0, ...o.settings },
    schedule: (fn) => fn(),
  });
}

/** Renders the whole window over `api`, with its tasks loaded and its status read. */
export async function renderApp(api: FakeApi, o: TestStoresOptions = {}) {
  const stores = testStores(api, o);
  await stores.tasks.getState().loadTasks();
  await stores.cluster.getState().refresh();
  const view = render(<App stores={stores} />);
  return { stores, ...view };
}
