// ARCHITECTURE.md's dependency direction, checked on the source: `http`, `federation`, `cli` → `recognition`,
// `credentials`, `catalogue` → `trust` → `feed` → `identity`, `store` → `core`, never the other way; the HTTP layer
// never reaches back into the composition root (node/context.ts); the web app never imports node/. Every relative
// import is read (import, import type, export … from, side-effect and dynamic imports).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');

/** Domain tiers, lowest first: a module may import its own tier and lower ones only. */
const TIER: Record<string, number> = { core: 0, identity: 1, store: 1, feed: 2, trust: 3, catalogue: 4, credentials: 4, recognition: 4 };

interface Edge {
  from: string; // repository-relative path of the importing file
  to: string; // repository-relative path the import resolves to (extension as written)
}

const IMPORT = /(?:^|[^\w.$])(?:import|export)\s+(?:type\s+)?(?:[^'"`;]*?\sfrom\s*)?['"]([^'"]+)['"]|\bimport\(\s*['"]([^'"]+)['"]\s*\)/g;

/** The relative imports of one source text, resolved against its file. Comments are removed first. */
export function importsOf(file: string, source: string): Edge[] {
  const code = source.replace(/\/\*[\s\S]*?\*\//g, '').replace(/(^|[^:'"`])\/\/.*$/gm, '$1');
  const out: Edge[] = [];
  for (const m of code.matchAll(IMPORT)) {
    const spec = m[1] ?? m[2]!;
    if (!spec.startsWith('.')) continue;
    out.push({ from: file, to: path.posix.normalize(path.posix.join(path.posix.dirname(file), spec)) });
  }
  return out;
}

const area = (p: string): string | null => (p.startsWith('node/') ? (p.split('/').length > 2 ? p.split('/')[1]! : p) : null);
const isCli = (p: string) => /^node\/cli(-[\w-]+)?\.(js|ts)$/.test(p);
const isContext = (p: string) => /^node\/context\.(js|ts)$/.test(p);

/** The edges that break the direction, each with the rule it breaks. */
export function violations(edges: Edge[]): string[] {
  const out: string[] = [];
  for (const { from, to } of edges) {
    const say = (rule: string) => out.push(`${from} imports ${to}: ${rule}`);
    if (from.startsWith('web/src/')) {
      // schemas/ are the single source of every shape: the web may read a schema file (e.g. the publish form's bounds)
      if (!to.startsWith('web/') && !/^schemas\/[\w/-]+\.schema\.json$/.test(to))
        say('the web app talks to the HTTP API only (it may import web/src, including generated types, and schemas/*.schema.json)');
      continue;
    }
    const a = area(from);
    const b = area(to);
    if (a === null || b === null) continue;
    if (a in TIER) {
      if (b === 'http' || b === 'federation') say(`a domain module (node/${a}) never imports node/${b}`);
      else if (isContext(to)) say(`a domain module (node/${a}) never imports the composition root`);
      else if (isCli(to)) say(`a domain module (node/${a}) never imports the CLI`);
      else if (b in TIER && TIER[b]! > TIER[a]!) say(`node/${a} is below node/${b}: the dependency goes the other way`);
      else if (!(b in TIER)) say(`a domain module (node/${a}) imports only domain tiers, not ${to}`);
    }
    if (a === 'http' && (isContext(to) || isCli(to)))
      say('node/http receives what it uses; it never imports the composition root or the CLI');
    if (a === 'federation' && (b === 'http' || isContext(to) || isCli(to)))
      say('node/federation never imports node/http, the composition root or the CLI');
  }
  return out;
}

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(path.join(ROOT, dir))) {
    const rel = `${dir}/${name}`;
    if (statSync(path.join(ROOT, rel)).isDirectory()) out.push(...sources(rel));
    else if (/\.(ts|tsx|mts)$/.test(name)) out.push(rel);
  }
  return out;
}

describe('the dependency direction of ARCHITECTURE.md', () => {
  it('holds for every import under node/ and web/src/', () => {
    const files = [...sources('node'), ...sources('web/src')];
    const edges = files.flatMap((f) => importsOf(f, readFileSync(path.join(ROOT, f), 'utf8')));
    expect(files.length).toBeGreaterThan(100);
    expect(edges.length).toBeGreaterThan(500); // the reader finds the imports (a broken pattern would find none)
    expect(violations(edges)).toEqual([]);
  });

  it('reads every form of import, and each rule refuses the edge it names', () => {
    const src = [
      "import { a } from '../http/app.js';",
      "import type {\n  B,\n  C,\n} from '../federation/replicator.js';",
      "export { d } from '../context.js';",
      "import '../cli.js';",
      "const e = await import('../feed/entry.js');",
      "// import { x } from '../http/commented-out.js';",
      "import { z } from 'express';",
    ].join('\n');
    const edges = importsOf('node/core/x.ts', src);
    expect(edges.map((e) => e.to)).toEqual([
      'node/http/app.js',
      'node/federation/replicator.js',
      'node/context.js',
      'node/cli.js',
      'node/feed/entry.js',
    ]);
    const v = violations(edges);
    expect(v).toHaveLength(5);
    expect(v[4]).toMatch(/node\/core is below node\/feed/);

    expect(violations([{ from: 'node/feed/feed.service.ts', to: 'node/federation/replicator.js' }])).toHaveLength(1);
    expect(violations([{ from: 'node/federation/replicator.ts', to: 'node/feed/replica.js' }])).toEqual([]);
    expect(violations([{ from: 'node/http/app.ts', to: 'node/context.js' }])).toHaveLength(1);
    expect(violations([{ from: 'node/http/app.ts', to: 'node/recognition/registrar-lookup.js' }])).toEqual([]);
    expect(violations([{ from: 'node/trust/membership.ts', to: 'node/recognition/comparison.js' }])).toHaveLength(1);
    expect(violations([{ from: 'node/recognition/comparison.ts', to: 'node/trust/membership.js' }])).toEqual([]);
    expect(violations([{ from: 'node/credentials/verify/trust.ts', to: 'node/ops/metrics.js' }])).toHaveLength(1);
    expect(violations([{ from: 'web/src/pages/detail.tsx', to: 'node/core/safe-url.js' }])).toHaveLength(1);
    expect(violations([{ from: 'web/src/pages/detail.tsx', to: 'web/src/generated/api-accreditation.js' }])).toEqual([]);
  });
});
