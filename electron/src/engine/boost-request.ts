/** A boost request's validation: the one check every caller (CLI, backend, tests) gets before a session starts. */
import { FEC_BUDGETS, FEC_MAX_K, FEC_MIN_K, parseHostPort, type BoostRequest } from '@lightspeed/shared';

import { validateTarget } from './capture/capture-target.js';

/** Checks a request and returns the problem, or null when it is usable. */
export function validateBoostRequest(req: BoostRequest): string | null {
  if (!Array.isArray(req.routes)) return 'routes: expected a list';
  if (req.capture !== undefined) {
    if (req.routes.length > 0) return 'routes: capture mode finds its servers; give no routes';
    const problem = validateTarget(req.capture.target);
    if (problem !== null) return problem;
  } else if (req.routes.length === 0) return 'routes: at least one route is required';
  for (const [i, r] of req.routes.entries()) {
    if (parseHostPort(r.server) === null) return `routes[${i}].server: expected HOST:PORT, got '${r.server}'`;
    const lp = r.localPort ?? 0;
    if (!Number.isInteger(lp) || lp < 0 || lp > 65535) return `routes[${i}].localPort: expected 0..65535`;
  }
  if (!Array.isArray(req.relays) || req.relays.length === 0) return 'relays: at least one relay is required';
  for (const [i, r] of req.relays.entries()) {
    if (!r.host || !Number.isInteger(r.port) || r.port < 1 || r.port > 65535)
      return `relays[${i}]: bad host or port`;
    const rt = r.token ?? 0;
    if (!Number.isInteger(rt) || rt < 0 || rt > 255) return `relays[${i}].token: expected 0..255, got ${rt}`;
  }
  const k = req.fecK;
  if (!Number.isInteger(k) || (k !== 0 && (k < FEC_MIN_K || k > FEC_MAX_K))) {
    return `fecK: expected 0 (off) or ${FEC_MIN_K}..${FEC_MAX_K}, got ${k}`;
  }
  if (req.fecAdaptive !== undefined && !FEC_BUDGETS.includes(req.fecAdaptive)) {
    return `fecAdaptive: expected ${FEC_BUDGETS.join(' or ')}, got ${String(req.fecAdaptive)}`;
  }
  const t = req.token ?? 0;
  if (!Number.isInteger(t) || t < 0 || t > 255) return `token: expected 0..255, got ${t}`;
  return null;
}
