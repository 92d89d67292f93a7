/**
 * Choosing the exit automatically (`boost --exit auto`, docs/mesh.md "Choosing the exit"): ask an entry
 * which exits its mesh offers for the game server (an EXITS question: every node it reaches, its route cost
 * from the entry and the node's own measured leg to the server), then take the node with the least
 * mesh cost + leg. A node that has not measured its leg gets a prior from the selector's regions: the
 * server is placed in the region of the node with the shortest measured leg, and the unmeasured node's leg
 * is that leg plus the RTT between the two regions (when both are known regions); with nothing measured
 * anywhere the exit is the entry itself. A relay that is
 * not a mesh node (every deployed relay) never answers, and the caller keeps the single-relay path.
 */
import {
  LEG_PENDING,
  LEG_UNKNOWN,
  MESH_EXITS_QUERY_LEN,
  MESH_STATUS_EXITS_COMPLETE,
  MeshKind,
  decodeMeshExits,
  type MeshExit,
} from '@lightspeed/shared';

import { regionIndex, regionRttMs } from '../selector/regions.js';
import { askEntry, type EntryAddress } from './ask-entry.js';

export interface ExitChoice {
  exit: string;
  /** Estimated RTT entry → exit → server, ms (null when nothing was known). */
  costMs: number | null;
  /** Why, in words (for the CLI and the Session view). */
  why: string;
  /** What the entry answered. */
  exits: MeshExit[];
}

/** Picks the exit with the least mesh cost + leg (measured, else the region prior). Pure. */
export function chooseExit(exits: MeshExit[]): ExitChoice | null {
  const entry = exits[0];
  if (entry === undefined) return null;
  const measured = exits.filter((e) => e.legUs < LEG_PENDING);
  const nearest = measured.reduce<MeshExit | null>((a, e) => (a === null || e.legUs < a.legUs ? e : a), null);
  const serverRegion = regionIndex(nearest?.region);
  let best: { e: MeshExit; cost: number; measured: boolean } | null = null;
  for (const e of exits) {
    let legMs: number;
    let isMeasured = true;
    if (e.legUs < LEG_PENDING) legMs = e.legUs / 1000;
    else {
      // As far from the server as the nearest measured node, plus the way from its region to that one's.
      const between = serverRegion < 0 ? -1 : regionRttMs(regionIndex(e.region), serverRegion);
      if (between < 0 || nearest === null) continue;
      legMs = nearest.legUs / 1000 + between;
      isMeasured = false;
    }
    const cost = e.meshRttUs / 1000 + legMs;
    if (best === null || cost < best.cost) best = { e, cost, measured: isMeasured };
  }
  if (best === null) {
    return {
      exit: entry.node,
      costMs: null,
      why: 'no mesh node has measured its leg to this server: the exit is the entry itself',
      exits,
    };
  }
  const cost = Math.round(best.cost * 10) / 10;
  return {
    exit: best.e.node,
    costMs: cost,
    why: best.measured
      ? `the shortest mesh path + measured leg to the server (${cost} ms)`
      : `the nearest by region to the server's estimated region (${cost} ms, not measured)`,
    exits,
  };
}

export interface AskExitsOptions {
  entry: EntryAddress;
  serverIp: number;
  serverPort: number;
  /** Give up after this long (default 1500 ms) with the last answer, if any. */
  timeoutMs?: number;
  /** Ask again this often until the answer is complete (default 150 ms). */
  everyMs?: number;
}

/**
 * Asks one entry which exits it offers; resolves to the last answer (complete, or whatever came before the
 * timeout), or null when the entry never answered (not a mesh node).
 */
export function askExits(o: AskExitsOptions): Promise<MeshExit[] | null> {
  return askEntry<MeshExit[] | null>({
    entry: o.entry,
    kind: MeshKind.EXITS,
    question: { ip: o.serverIp, port: o.serverPort, exit: '', payload: new Uint8Array(MESH_EXITS_QUERY_LEN) },
    read: (answer) => {
      const exits = decodeMeshExits(answer.payload);
      return exits === null
        ? null
        : { value: exits, complete: (answer.tokenOrStatus & MESH_STATUS_EXITS_COMPLETE) !== 0 };
    },
    none: null,
    timeoutMs: o.timeoutMs,
    everyMs: o.everyMs,
  });
}

/** Whether an answer's node measured nothing (for display). */
export function legText(e: MeshExit): string {
  if (e.legUs === LEG_PENDING) return 'no answer';
  if (e.legUs === LEG_UNKNOWN) return 'not measured';
  return `${Math.round(e.legUs / 100) / 10} ms`;
}
