/**
 * The engines the desktop app and the dashboard hand to the backend: redirect mode in process, capture
 * in the privileged helper (never the whole app elevated).
 */
import { BoostEngine } from '../engine/index.js';
import { CaptureHelperEngine, defaultLauncher, type HelperLauncher } from './capture-helper.js';
import type { EngineFactory } from './ports.js';

export const createEngine: EngineFactory = ({ keepaliveMs }) => new BoostEngine({ keepaliveMs });

export function createCaptureEngine(launch: HelperLauncher = defaultLauncher()): EngineFactory {
  return ({ keepaliveMs }) =>
    new CaptureHelperEngine({ keepaliveMs, launch, prober: new BoostEngine({ keepaliveMs }) });
}
