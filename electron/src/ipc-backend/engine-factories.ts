/**
 * The engines the desktop app and the dashboard hand to the backend: redirect mode in process, capture
 * in the privileged helper (never the whole app elevated).
 */
import { BoostEngine, MlSelector, NearestSelector, SelectorStore } from '../engine/index.js';
import { MeshEngine } from '../engine/mesh/mesh-engine.js';
import { CaptureHelperEngine, defaultLauncher, type HelperLauncher } from './capture-helper.js';
import { selectorDir } from './config-dir.js';
import type { EngineFactory } from './ports.js';

const singleRelay = (keepaliveMs: number, selector: string | undefined): BoostEngine =>
  new BoostEngine({
    keepaliveMs,
    // The learned selector keeps its retrained model and history in <config dir>/lightspeed/selector.
    selector:
      selector === 'nearest'
        ? new NearestSelector()
        : new MlSelector({ store: new SelectorStore(selectorDir()) }),
  });

export const createEngine: EngineFactory = ({ keepaliveMs, selector, mesh }) =>
  mesh === undefined
    ? singleRelay(keepaliveMs, selector)
    : // Through the mesh; with 'auto' and no mesh relay, the single-relay engine after all.
      new MeshEngine({ ...mesh, keepaliveMs, fallback: () => singleRelay(keepaliveMs, selector) });

export function createCaptureEngine(launch: HelperLauncher = defaultLauncher()): EngineFactory {
  return ({ keepaliveMs, selector, mesh }) =>
    new CaptureHelperEngine({
      keepaliveMs,
      ...(selector === undefined ? {} : { selector }),
      ...(mesh === undefined ? {} : { mesh }),
      launch,
      prober: new BoostEngine({ keepaliveMs }),
    });
}
