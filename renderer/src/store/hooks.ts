/** Selector hooks, one per store slice (`useBoost((b) => b.stats)`), over the store in context. */
import { createContext, useContext } from 'react';
import { useStore } from 'zustand';

import type { Actions, AppState, AppStore } from './app-store.js';
import type { AppSlice, BoostSlice, GamesSlice, RelaysSlice, SettingsSlice } from './slices.js';

export const StoreContext = createContext<AppStore | null>(null);

function useAppStore(): AppStore {
  const store = useContext(StoreContext);
  if (!store) throw new Error('LightSpeed views must be rendered inside <StoreContext.Provider>');
  return store;
}

function useSlice<K extends keyof AppState, T>(key: K, selector: (slice: AppState[K]) => T): T {
  return useStore(useAppStore(), (s) => selector(s[key]));
}

export const useApp = <T>(selector: (s: AppSlice) => T): T => useSlice('app', selector);
export const useBoost = <T>(selector: (s: BoostSlice) => T): T => useSlice('boost', selector);
export const useGames = <T>(selector: (s: GamesSlice) => T): T => useSlice('games', selector);
export const useRelays = <T>(selector: (s: RelaysSlice) => T): T => useSlice('relays', selector);
export const useSettings = <T>(selector: (s: SettingsSlice) => T): T => useSlice('settings', selector);
/** The store's actions (stable identity). */
export const useActions = (): Actions => useStore(useAppStore(), (s) => s.actions);
