/* The archive `npm run pack` makes, installed as Activepieces 0.82–0.85 install an archive piece and
   loaded as their engine loads it. The worker writes a workspace (`pieces/**`) whose package for the
   piece depends on the archive, installs it with `--ignore-scripts`, and the engine then imports
   `pieces/<name>-<version>/node_modules/<name>/src/index.js`, whatever `main` says. Their worker
   installs with bun 1.3, whose isolated installs give each workspace package a node_modules of its
   own; npm's linked strategy lays out the same paths and, like bun's, lets a package reach only the
   packages it declares. */
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ticketry } from '../src/index';

const PIECE_ROOT = resolve(__dirname, '..', '..');
const project = JSON.parse(readFileSync(join(PIECE_ROOT, 'package.json'), 'utf8'));
// npm's name for the archive of a scoped package: @scope/name → scope-name-<version>.tgz
const ARCHIVE = join(PIECE_ROOT, 'dist', `${project.name.replace('@', '').replace('/', '-')}-${project.version}.tgz`);

// What the engine does with the piece's folder, in a process of its own: import that file, then
// pick the piece out of the module's exports with Activepieces' helper (the engine has its own copy).
const ENGINE_LOAD = `
import { createRequire } from 'node:module';
const [entry, pieceName, pieceVersion, shared] = process.argv.slice(1);
const module = await import(entry);
const { extractPieceFromModule } = createRequire(shared)(shared);
const piece = extractPieceFromModule({ module, pieceName, pieceVersion });
const names = (steps) => Object.fromEntries(Object.entries(steps).map(([name, step]) => [name, step.displayName]));
console.log(JSON.stringify({ displayName: piece.displayName, actions: names(piece.actions()), triggers: names(piece.triggers()) }));
`;

type Listing = { displayName: string; actions: Record<string, string>; triggers: Record<string, string> };

function listing(piece: typeof ticketry): Listing {
  const names = (steps: Record<string, { displayName: string }>) =>
    Object.fromEntries(Object.entries(steps).map(([name, step]) => [name, step.displayName]));
  return { displayName: piece.displayName, actions: names(piece.actions()), triggers: names(piece.triggers()) };
}

function run(command: string, args: string[], cwd: string): string {
  return execFileSync(command, args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('the packed piece, installed as Activepieces installs an archive', { timeout: 300_000 }, () => {
  const cache = mkdtempSync(join(tmpdir(), 'ticketry-piece-cache-'));

  before(() => {
    rmSync(ARCHIVE, { force: true });
    run('npm', ['run', 'pack'], PIECE_ROOT);
  });

  after(() => rmSync(cache, { recursive: true, force: true }));

  it('npm run pack leaves the archive at its documented place, the built piece at src/index.js and no tests', () => {
    assert.ok(existsSync(ARCHIVE), `npm run pack made no ${ARCHIVE}`);
    const entries = run('tar', ['-tzf', ARCHIVE], PIECE_ROOT).split('\n').filter(Boolean);
    for (const file of ['package/package.json', 'package/src/index.js', 'package/src/index.d.ts']) {
      assert.ok(entries.includes(file), `${file} missing from the archive`);
    }
    // Beside the manifest and the README, only the compiled piece: .js and .d.ts under src/, no tests.
    const compiled = /^package\/src\/.+(?<!\.test)\.(js|d\.ts)$/;
    const strays = entries.filter((entry) => !compiled.test(entry) && !['package/package.json', 'package/README.md'].includes(entry));
    assert.deepEqual(strays, []);

    const manifest = JSON.parse(run('tar', ['-xzOf', ARCHIVE, 'package/package.json'], PIECE_ROOT));
    assert.equal(manifest.name, project.name);
    assert.equal(manifest.version, project.version);
    assert.equal(manifest.main, 'src/index.js');
    assert.equal(manifest.types, 'src/index.d.ts');
    assert.deepEqual(manifest.dependencies, project.dependencies);
  });

  it('installs in a piece cache with --ignore-scripts, and the engine finds every action and trigger', () => {
    const alias = `${project.name}-${project.version}`;
    const workspace = join(cache, 'pieces', alias);
    mkdirSync(workspace, { recursive: true });
    const archive = join(workspace, 'archive-1.tgz');
    copyFileSync(ARCHIVE, archive);
    writeFileSync(join(cache, 'package.json'), JSON.stringify({ name: 'fast-workspace', version: '1.0.0', workspaces: ['pieces/**'] }));
    writeFileSync(
      join(workspace, 'package.json'),
      JSON.stringify({ name: alias, version: project.version, dependencies: { [project.name]: `file:${archive}` } }),
    );

    run('npm', ['install', '--ignore-scripts', '--install-strategy=linked', '--no-audit', '--no-fund'], cache);

    const entry = join(workspace, 'node_modules', project.name, 'src', 'index.js');
    const loaded: Listing = JSON.parse(run(process.execPath, ['--input-type=module', '--eval', ENGINE_LOAD, entry, project.name, project.version, require.resolve('@activepieces/shared')], cache));
    const source = listing(ticketry);
    assert.ok(Object.keys(source.actions).length > 0 && Object.keys(source.triggers).length > 0);
    assert.deepEqual(loaded, source);
  });
});
