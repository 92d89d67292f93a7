/** The desktop app as its own capture helper: the headless `capture --request -` command, nothing else. */
export async function runCaptureHelper(args: string[]): Promise<number> {
  const command = (await import('../cli/commands/capture.js')).default;
  return command.run(['--request', '-', '--json', ...args]);
}
