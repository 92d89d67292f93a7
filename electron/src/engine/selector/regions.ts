/**
 * Coarse world regions for the route selector: a relay's region (RegisterAck, or `RelayEndpoint.region`)
 * and a game server's estimated region are mapped here, and the distance between two regions gives the
 * model a prior for a leg nobody has measured. Coordinates are in "one-way milliseconds of fibre", a
 * plane rather than a globe: good to a few ms between neighbours, which is all a prior needs.
 */
export interface Region {
  code: string;
  x: number;
  y: number;
  /** Hours ahead of UTC, for the diurnal load of the simulated world. */
  utcOffset: number;
}

export const REGIONS: readonly Region[] = [
  { code: 'us-west', x: 0, y: 0, utcOffset: -8 },
  { code: 'us-east', x: 32, y: 4, utcOffset: -5 },
  { code: 'sa-east', x: 50, y: 58, utcOffset: -3 },
  { code: 'eu-west', x: 72, y: 0, utcOffset: 0 },
  { code: 'eu-central', x: 80, y: 4, utcOffset: 1 },
  { code: 'me-central', x: 102, y: 20, utcOffset: 4 },
  { code: 'asia-se', x: 148, y: 40, utcOffset: 8 },
  { code: 'asia-east', x: 138, y: 12, utcOffset: 9 },
  { code: 'oceania', x: 166, y: 70, utcOffset: 10 },
];

const byCode = new Map(REGIONS.map((r, i) => [r.code, i]));

/** Index of a region code (case-insensitive), or -1 when it is not one we know. */
export function regionIndex(code: string | undefined): number {
  if (code === undefined) return -1;
  return byCode.get(code.trim().toLowerCase()) ?? -1;
}

/** Round-trip time (ms) a straight path between two regions costs; 0 within a region. */
export function regionRttMs(a: number, b: number): number {
  const ra = REGIONS[a];
  const rb = REGIONS[b];
  if (ra === undefined || rb === undefined) return -1;
  return 2 * Math.hypot(ra.x - rb.x, ra.y - rb.y);
}
