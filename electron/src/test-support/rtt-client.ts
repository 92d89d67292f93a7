/**
 * The driver of `netns/rtt-client.mjs` (a game-like UDP client that keeps one socket for its life, so
 * capture follows it): each `run` sends COUNT datagrams of SIZE bytes at PPS and returns the round trips.
 */
import type { ChildProcess } from 'node:child_process';

import { lines, type NextLine } from './child-lines.js';

export interface RttRun {
  rtts: number[];
  lost: number;
}

export class RttClient {
  private readonly next: NextLine;

  constructor(readonly child: ChildProcess) {
    this.next = lines(child);
  }

  async ready(): Promise<void> {
    await this.next((l) => l.includes('"ready"'));
  }

  async run(host: string, port: number, count: number, pps: number, size: number): Promise<RttRun> {
    this.child.stdin!.write(`run ${host} ${port} ${count} ${pps} ${size}\n`);
    return JSON.parse(await this.next((l) => l.startsWith('{"rtts"'), 60_000)) as RttRun;
  }
}
