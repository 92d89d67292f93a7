import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';

import { App } from './app.js';
import { connect } from './ipc/connect.js';
import { createAppStore } from './store/app-store.js';
import { StoreContext } from './store/hooks.js';
import './styles/app.css';

async function boot(): Promise<void> {
  const { api, onConnection } = await connect();
  const store = createAppStore(api);
  const { actions } = store.getState();
  if (onConnection) {
    let everOpen = false;
    onConnection((state) => {
      if (state === 'open') {
        everOpen = true;
        void actions.load();
      } else if (state === 'closed' && everOpen) {
        actions.setConnection('reconnecting');
      }
    });
  } else {
    void actions.load();
  }
  createRoot(document.getElementById('root')!).render(
    <StrictMode>
      <StoreContext.Provider value={store}>
        <App />
      </StoreContext.Provider>
    </StrictMode>,
  );
}

void boot();
