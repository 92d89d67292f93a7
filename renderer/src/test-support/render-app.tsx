/** Renders the whole UI against a fake backend, as the real shell does (store, snapshot, notifications). */
import { render, type RenderResult } from '@testing-library/react';
import userEvent, { type UserEvent } from '@testing-library/user-event';

import { App } from '../app.js';
import { FakeBackend, type FakeBackendOptions } from '../ipc/fake-backend.js';
import { createAppStore, type AppStore } from '../store/app-store.js';
import { StoreContext } from '../store/hooks.js';

export interface Rendered extends RenderResult {
  fake: FakeBackend;
  store: AppStore & { dispose(): void };
  user: UserEvent;
}

/** Loads the snapshot, then renders `<App />`; first run is skipped unless `firstRun`. */
export async function renderApp(
  options: FakeBackendOptions & { firstRun?: boolean } = {},
): Promise<Rendered> {
  const fake = new FakeBackend({
    ...options,
    settings: { firstRunComplete: !options.firstRun, ...options.settings },
  });
  const store = createAppStore(fake.api);
  await store.getState().actions.load();
  const user = userEvent.setup();
  const result = render(
    <StoreContext.Provider value={store}>
      <App />
    </StoreContext.Provider>,
  );
  return { ...result, fake, store, user };
}
