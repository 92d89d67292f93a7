// Whether libpcap's development files are installed (pcap.h and the linker's libpcap.so / .a).
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

export function hasPcap() {
  // LIGHTSPEED_NATIVE_NO_PCAP=1 builds without the flow watcher (as on a machine without libpcap-dev).
  if (process.platform !== 'linux' || process.env.LIGHTSPEED_NATIVE_NO_PCAP === '1') return false;
  const includeDirs = ['/usr/include', '/usr/local/include'];
  const libDirs = ['/usr/lib', '/usr/local/lib', '/usr/lib64', '/lib'];
  for (const base of ['/usr/lib', '/lib']) {
    try {
      for (const entry of readdirSync(base))
        if (entry.endsWith('-linux-gnu')) libDirs.push(join(base, entry));
    } catch {
      // no such directory
    }
  }
  const header = includeDirs.some(
    (d) => existsSync(join(d, 'pcap', 'pcap.h')) || existsSync(join(d, 'pcap.h')),
  );
  const library = libDirs.some((d) => existsSync(join(d, 'libpcap.so')) || existsSync(join(d, 'libpcap.a')));
  return header && library;
}
