/** The process list capture resolves its target in, for this OS (shared by `BoostEngine` and `MeshEngine`). */
import {
  asPlatform,
  defaultProcessListProvider,
  readProcPids,
  readProcProcesses,
  type ProcessInfo,
} from '@lightspeed/games';

/** This OS's process list; on Linux a PID target reads only its own /proc entries. */
export function defaultProcessList(): (pids?: readonly number[]) => Promise<ProcessInfo[]> {
  if (process.platform === 'linux')
    return (pids) => (pids === undefined ? readProcProcesses() : readProcPids(pids));
  const platform = asPlatform(process.platform);
  const provider = platform === undefined ? undefined : defaultProcessListProvider(platform);
  return () => provider?.() ?? Promise.resolve([]);
}
