// Reference data from the command line: a manifest naming who may publish reference data (--reference-publisher),
// `mochila reference publish` by that member (then `reference list` shows the record as the network's, signed by it)
// and by a founder the manifest does not name (refused, exit 1, not_authorised).
// The set-up commands (keygen, manifest create, init: each spawned as a real process in cli.test.ts and the README test)
// and the refused publish run in one session process (test/helpers/cli.ts); the first publish and the list are real
// `mochila` processes.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadReferenceData } from '../../node/catalogue/reference-data.js';
import { cliSession, mochila, type CliSession } from '../helpers/cli.js';

/** A version newer than the bundled credit systems (the floor), so that a network version of them is live. */
const NEWER = new Date(Date.parse(`${loadReferenceData().creditSystems.version!}T00:00:00Z`) + 86_400_000).toISOString().slice(0, 10);

describe('mochila reference publish / list', () => {
  let tmp: string;
  let coordinator: string;
  let other: string;
  let coordinatorDid: string;
  let body: string;
  let session: CliSession;

  beforeAll(async () => {
    session = cliSession();
    tmp = mkdtempSync(path.join(tmpdir(), 'mochila-ref-cli-'));
    coordinator = path.join(tmp, 'coordinator');
    other = path.join(tmp, 'other');
    const dids: string[] = [];
    for (const d of [coordinator, other]) {
      const kg = await session.run('keygen', '--dir', d);
      expect(kg.code, kg.stderr).toBe(0);
      dids.push(/^did: (\S+)$/m.exec(kg.stdout)![1]!);
    }
    coordinatorDid = dids[0]!;
    const manifestFile = path.join(tmp, 'manifest.json');
    const m = await session.run('manifest', 'create', '--name', 'Red de prueba', '--founder', dids[0]!, '--founder', dids[1]!, '--endorsements', '1', '--reference-publisher', dids[0]!, '--out', manifestFile);
    expect(m.code, m.stderr).toBe(0);
    expect(JSON.parse(readFileSync(manifestFile, 'utf8')).referencePublishers).toEqual([dids[0]]);
    for (const [d, country] of [[coordinator, 'MX'], [other, 'CL']] as const) {
      const init = await session.run('init', '--dir', d, '--name', `Universidad ${country}`, '--country', country, '--manifest', manifestFile);
      expect(init.code, init.stderr).toBe(0);
    }
    body = path.join(tmp, 'co-men.json');
    const coMen = loadReferenceData().creditSystems.systems.find((s) => s.id === 'CO-MEN')!;
    writeFileSync(body, JSON.stringify({ kind: 'credit-system', version: NEWER, record: coMen, statement: 'prueba' }));
  }, 600_000);
  afterAll(async () => {
    await session?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('the member the manifest names publishes; list shows the record as the network’s, signed by it', async () => {
    const pub = await mochila('reference', 'publish', '--dir', coordinator, body);
    expect(pub.code, pub.stderr).toBe(0);
    expect(pub.stdout).toContain(`published credit-system CO-MEN version ${NEWER}`);
    const list = await mochila('reference', 'list', '--dir', coordinator, '--kind', 'credit-system', '--json');
    expect(list.code, list.stderr).toBe(0);
    const out = JSON.parse(list.stdout) as { publishers: string[]; items: { id: string; origin: string; version: string; publishedBy: string | null }[] };
    expect(out.publishers).toEqual([coordinatorDid]);
    expect(out.items.find((i) => i.id === 'CO-MEN')).toMatchObject({ origin: 'network', version: NEWER, publishedBy: coordinatorDid });
    expect(out.items.find((i) => i.id === 'ECTS')).toMatchObject({ origin: 'bundled', publishedBy: null });
  }, 400_000);

  it('a founder the manifest does not name is refused (exit 1, not_authorised)', async () => {
    const pub = await session.run('reference', 'publish', '--dir', other, body);
    expect(pub.code).toBe(1);
    expect(pub.stderr).toContain('not_authorised');
  }, 400_000);
});
