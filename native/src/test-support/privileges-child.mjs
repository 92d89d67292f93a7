// Run as root: drops to argv[3]:argv[4] keeping CAP_NET_ADMIN + CAP_NET_RAW, then reports what it kept:
// its ids and capability sets, whether a transparent divert socket still opens, what an exec'd child
// (`cat /proc/self/status`) holds, and that a second drop is refused.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const native = createRequire(import.meta.url)(process.argv[2]);
const field = (text, name) => new RegExp(`^${name}:\\s*(\\S+)`, 'm').exec(text)?.[1] ?? null;
const report = {};
native.dropPrivileges(Number(process.argv[3]), Number(process.argv[4]));
const status = readFileSync('/proc/self/status', 'utf8');
Object.assign(report, {
  uid: process.getuid(),
  euid: process.geteuid(),
  gid: process.getgid(),
  groups: process.getgroups(),
  capEff: field(status, 'CapEff'),
  capPrm: field(status, 'CapPrm'),
  capAmb: field(status, 'CapAmb'),
});
try {
  const socket = new native.DivertSocket('127.0.0.1', 0, () => {});
  report.divertPort = socket.port;
  socket.close();
} catch (e) {
  report.divertError = e.code;
}
const childStatus = execFileSync('cat', ['/proc/self/status'], { encoding: 'utf8' });
report.execChild = { uid: field(childStatus, 'Uid'), capEff: field(childStatus, 'CapEff') };
try {
  native.dropPrivileges(0, 0);
  report.secondDrop = 'allowed';
} catch (e) {
  report.secondDrop = e.code;
}
console.log(JSON.stringify(report));
