/** The desktop app as its own capture helper: the headless `capture --request -` command, nothing else. */
import capture from '../cli/commands/capture.js';

// A static import: the main process is one bundle (no chunks beside main.cjs in the packaged app).
export function runCaptureHelper(args: string[]): Promise<number> {
  return capture.run(['--request', '-', '--json', ...args]);
}
