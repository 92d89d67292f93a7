// Runs inside a test network namespace: one flow watcher per device in argv[4..] with filter argv[3]
// using the built addon argv[2]. Prints {"ready"}; on "take" from stdin prints {"device","linkType",
// "flows","stats"} per device, closes them and exits.
import { createRequire } from 'node:module';

const native = createRequire(import.meta.url)(process.argv[2]);
const filter = process.argv[3];
const watchers = process.argv
  .slice(4)
  .map((device) => ({ device, watcher: new native.FlowWatcher(device, filter, 128) }));
console.log(JSON.stringify({ ready: true }));
process.stdin.setEncoding('utf8');
process.stdin.on('data', (text) => {
  if (!text.includes('take')) return;
  // Let the poll deliver what the kernel still holds before taking.
  setTimeout(() => {
    for (const { device, watcher } of watchers) {
      console.log(
        JSON.stringify({ device, linkType: watcher.linkType, flows: watcher.take(), stats: watcher.stats() }),
      );
      watcher.close();
    }
    process.stdin.destroy();
  }, 300);
});
