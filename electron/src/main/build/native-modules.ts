/**
 * Copies the externalised native packages (and everything they depend on) into a packaged app. Forge's
 * Vite plugin packages only `.vite/`, so without this the main bundle's `require('@matrixai/quic')` would
 * fail in an installed app.
 */
import { existsSync, readFileSync } from 'node:fs';
import { cp } from 'node:fs/promises';
import path from 'node:path';

interface PackageJson {
  name?: string;
  dependencies?: Record<string, string>;
  optionalDependencies?: Record<string, string>;
}

/** Finds `name` the way Node does from `fromDir`: the nearest `node_modules/<name>` walking up. */
export function findPackageDir(name: string, fromDir: string): string | null {
  let dir = path.resolve(fromDir);
  for (;;) {
    const candidate = path.join(dir, 'node_modules', name);
    if (existsSync(path.join(candidate, 'package.json'))) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) return null;
    dir = parent;
  }
}

/**
 * The directories of `names` and their runtime dependencies, resolved from `fromDir`. Missing optional
 * dependencies (another platform's prebuilt binary) are skipped; a missing required one is an error.
 */
export function dependencyClosure(names: readonly string[], fromDir: string): Map<string, string> {
  const found = new Map<string, string>();
  const visit = (name: string, from: string, optional: boolean): void => {
    const dir = findPackageDir(name, from);
    if (dir === null) {
      if (optional) return;
      throw new Error(`native package ${name} is not installed (looked from ${from})`);
    }
    if (found.has(dir)) return;
    found.set(dir, name);
    const pkg = JSON.parse(readFileSync(path.join(dir, 'package.json'), 'utf8')) as PackageJson;
    for (const dep of Object.keys(pkg.dependencies ?? {})) visit(dep, dir, false);
    for (const dep of Object.keys(pkg.optionalDependencies ?? {})) visit(dep, dir, true);
  };
  for (const name of names) visit(name, fromDir, true);
  return found;
}

/** Copies the closure of `names` from `projectDir`'s node_modules into `buildPath/node_modules`. */
export async function copyNativePackages(
  names: readonly string[],
  projectDir: string,
  buildPath: string,
): Promise<string[]> {
  const copied: string[] = [];
  for (const [dir] of dependencyClosure(names, projectDir)) {
    const rel = path.relative(projectDir, dir);
    // Workspace packages are symlinked; copy their content, not the link.
    await cp(dir, path.join(buildPath, rel), { recursive: true, dereference: true });
    copied.push(rel);
  }
  return copied;
}
