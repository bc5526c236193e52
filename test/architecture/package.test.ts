// What a package needs beyond its code: a LICENSE matching package.json's license, a
// CHANGELOG, and dependencies whose engines fit pmix's own.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));

describe('the package', () => {
  it('has an MIT LICENSE file as package.json says and a CHANGELOG', () => {
    expect(pkg.license).toBe('MIT');
    expect(readFileSync(join(root, 'LICENSE'), 'utf8')).toMatch(/^MIT License\n\nCopyright \(c\) \d{4} /);
    expect(readFileSync(join(root, 'CHANGELOG.md'), 'utf8')).toMatch(/^# Changelog\n[\s\S]*## Unreleased[\s\S]*## 0\.1\.0/);
    // No repository field until the project has a public URL (a guessed one would send users elsewhere).
    expect(pkg.repository).toBeUndefined();
  });

  it("commander is on a current major whose engines admit pmix's oldest Node", () => {
    const installed = JSON.parse(readFileSync(join(root, 'node_modules/commander/package.json'), 'utf8'));
    expect(Number(installed.version.split('.')[0])).toBeGreaterThanOrEqual(14);
    const need = /^>=(\d+)/.exec(installed.engines.node)![1]!;
    const ours = /^>=(\d+)/.exec(pkg.engines.node)![1]!;
    expect(Number(need)).toBeLessThanOrEqual(Number(ours));
  });

  // npm (11.x) runs or flags, when pmix is installed as a dependency (a tarball, a git or file
  // spec), its preinstall/install/postinstall and, for non-registry sources, its prepare:
  // "npm warn install-scripts ... pmix@0.1.0 (prepare: npm run build)". The tarball ships dist/,
  // so it needs none; the build runs before packing (prepack, which pacote also runs for git specs).
  it('installing pmix as a dependency runs no script of its (no install-scripts warning)', () => {
    const scripts = Object.keys(pkg.scripts ?? {});
    for (const hook of ['preinstall', 'install', 'postinstall', 'prepare', 'preprepare', 'postprepare']) expect(scripts).not.toContain(hook);
    expect(pkg.scripts.prepack).toBe('npm run build');
    expect(pkg.files).toContain('dist');
  });
});
