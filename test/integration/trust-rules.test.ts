// Who may endorse and who may accredit is decided once, in node/trust, and the CLI obeys the same rules as the HTTP
// admin routes: a university may not accredit, an agency may; nobody endorses itself; bodies are checked against
// the entry schemas before anything is appended.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { buildCli } from '../../node/cli.js';
import { withServices } from '../../node/cli-common.js';
import { generateKey } from '../../node/identity/keys.js';
import { initNode } from '../../node/init.js';

async function mochila(...args: string[]): Promise<void> {
  const log = console.log;
  console.log = () => {};
  try {
    await buildCli().exitOverride().parseAsync(['node', 'mochila', ...args]);
  } finally {
    console.log = log;
  }
}

const entriesOf = (dir: string, type: string) => withServices(dir, {}, (s) => s.feed.read(s.feed.author, 1, 1000).filter((e) => e.type === type));

describe('trust rules from the CLI are the services\' rules', () => {
  const dirs: string[] = [];
  let agency: string;
  let university: string;
  let agencyDid: string;
  const file = (name: string, body: unknown) => {
    const f = path.join(dirs[0]!, name);
    writeFileSync(f, JSON.stringify(body));
    return f;
  };
  beforeAll(() => {
    for (let i = 0; i < 2; i++) dirs.push(mkdtempSync(path.join(tmpdir(), 'mochila-trust-')));
    [agency, university] = dirs as [string, string];
    agencyDid = initNode({ dir: agency, name: 'Agencia de Acreditación', country: 'CL', profile: { kind: 'qa-agency' } }).did;
    initNode({ dir: university, name: 'Universidad de Prueba', country: 'CL' });
  });
  afterAll(() => {
    for (const d of dirs) rmSync(d, { recursive: true, force: true });
  });

  const accreditation = { accreditationId: 'acc-uni', subject: { type: 'institution', id: generateKey().did }, status: 'accredited', validFrom: '2026-01-01' };

  it('mochila accredit: refused for a university (forbidden), refused for a body the schema rejects, published for an agency', async () => {
    await expect(mochila('accredit', '--dir', university, file('a.json', accreditation))).rejects.toMatchObject({ code: 'forbidden' });
    expect(entriesOf(university, 'accreditation')).toHaveLength(0);
    await expect(mochila('accredit', '--dir', agency, file('bad.json', { ...accreditation, status: 'maybe' }))).rejects.toMatchObject({ code: 'validation_failed' });
    await mochila('accredit', '--dir', agency, file('a.json', accreditation));
    const published = entriesOf(agency, 'accreditation');
    expect(published).toHaveLength(1);
    expect(published[0]!.body).toEqual(accreditation);
  });

  it('mochila endorse: an institution cannot endorse itself; another institution it can', async () => {
    await expect(mochila('endorse', '--dir', agency, agencyDid)).rejects.toMatchObject({ code: 'validation_failed' });
    expect(entriesOf(agency, 'endorsement')).toHaveLength(0);
    const other = generateKey().did;
    await mochila('endorse', '--dir', agency, other, '--statement', 'Conocemos su sistema de calidad.');
    expect(entriesOf(agency, 'endorsement').map((e) => e.body)).toEqual([{ subject: other, statement: 'Conocemos su sistema de calidad.' }]);
  });
});
