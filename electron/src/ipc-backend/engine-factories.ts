/**
 * The engines the desktop app and the dashboard hand to the backend: redirect mode in process, capture
 * in the privileged helper (never the whole app elevated).
 */
import { BoostEngine, MlSelector, NearestSelector, SelectorStore } from '../engine/index.js';
import { CaptureHelperEngine, defaultLauncher, type HelperLauncher } from './capture-helper.js';
import { selectorDir } from './config-dir.js';
import type { EngineFactory } from './ports.js';

export const createEngine: EngineFactory = ({ keepaliveMs, selector }) =>
  new BoostEngine({
    keepaliveMs,
    // The learned selector keeps its retrained model and history in <config dir>/lightspeed/selector.
    selector:
      selector === 'nearest'
        ? new NearestSelector()
        : new MlSelector({ store: new SelectorStore(selectorDir()) }),
  });

export function createCaptureEngine(launch: HelperLauncher = defaultLauncher()): EngineFactory {
  return ({ keepaliveMs, selector }) =>
    new CaptureHelperEngine({
      keepaliveMs,
      ...(selector === undefined ? {} : { selector }),
      launch,
      prober: new BoostEngine({ keepaliveMs }),
    });
}
