// Builds the Windows addon with MinGW-w64 and inspects the PE file. In CI (process.env.CI set) a
// missing cross compiler fails the test; elsewhere the test is skipped and says why.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

import { describe, expect, it } from 'vitest';

const script = fileURLToPath(new URL('../scripts/cross-compile-windows.sh', import.meta.url));
const output = fileURLToPath(new URL('../build/win32-x64/lightspeed_native.node', import.meta.url));
const haveCross = spawnSync('x86_64-w64-mingw32-g++', ['--version'], { stdio: 'ignore' }).status === 0;
const required = Boolean(process.env.CI);

describe('Windows cross-compile', () => {
  it('knows whether it can run', () => {
    if (required)
      expect(haveCross, 'CI needs g++-mingw-w64-x86-64 (apt-get install g++-mingw-w64-x86-64)').toBe(true);
  });

  it.skipIf(!haveCross)(
    'builds a PE DLL exporting napi_register_module_v1, importing node.exe and not WinDivert.dll (skipped without x86_64-w64-mingw32-g++)',
    () => {
      const run = spawnSync('bash', [script], { encoding: 'utf8', timeout: 240_000 });
      expect(run.stderr).not.toMatch(/error/i);
      expect(run.status).toBe(0);
      const dump = spawnSync('x86_64-w64-mingw32-objdump', ['-p', output], { encoding: 'utf8' }).stdout;
      expect(dump).toMatch(/file format pei-x86-64/);
      expect(dump).toMatch(/^\tDLL$/m);
      expect(dump).toMatch(/^\s*\[\s*\d+\] napi_register_module_v1$/m);
      const imports = [...dump.matchAll(/DLL Name: (\S+)/g)].map((m) => m[1]?.toLowerCase());
      expect(imports).toContain('node.exe');
      expect(imports).not.toContain('windivert.dll');
      // Statically linked runtime: nothing beyond Windows' own DLLs and node.exe.
      expect(
        imports.filter(
          (d) => d !== undefined && !/^(kernel32|msvcrt|node\.exe|advapi32|user32|ws2_32)/.test(d),
        ),
      ).toEqual([]);
    },
    300_000,
  );
});
