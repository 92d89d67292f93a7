/** The address a `lightspeed dashboard` child prints (with its access token), for the Chromium e2e tests. */
import type { ChildProcess } from 'node:child_process';

import { lines, type NextLine } from './child-lines.js';

const DASHBOARD_URL = /(http:\/\/127\.0\.0\.1:\d+\/[A-Za-z0-9_-]+\/)/;

/** Waits for the dashboard's URL on the child's stdout (`next`: a reader already made for that child). */
export async function dashboardUrl(child: ChildProcess, next: NextLine = lines(child)): Promise<string> {
  const line = await next((l) => DASHBOARD_URL.test(l), 30_000);
  return DASHBOARD_URL.exec(line)![1]!;
}
