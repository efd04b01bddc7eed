// The credential commands as an IT person runs them: init, import the catalogue, issue one (JSON on stdout), verify
// (exit code 0 only when verified), a cohort from the registrar's spreadsheet (BOM + semicolons) and its re-run,
// revoke, and a file that is not JSON.
// Each command runs at least once as a real `mochila` process (bin/mochila.js: init, catalogue import, issue, verify,
// credential revoke, keygen, manifest create); the other runs go through one session process (test/helpers/cli.ts),
// since each real start-up costs seconds of CPU.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as vc from '@digitalbazaar/vc';
import { generateSeed } from '../../node/identity/keys.js';
import { createPresentationSigner } from '../../node/credentials/sign.js';
import { withServices } from '../../node/cli-common.js';
import { importCatalogueFile } from '../../node/catalogue/import.js';
import { cliSession, mochila, type CliSession } from '../helpers/cli.js';

const ROOT = path.resolve(__dirname, '../..');

describe('mochila issue / verify / credential', () => {
  let tmp: string;
  let dir: string;
  let session: CliSession;
  beforeAll(async () => {
    session = cliSession(); // loads while the real processes below run
    tmp = mkdtempSync(path.join(tmpdir(), 'mochila-cli-'));
    dir = path.join(tmp, 'node');
    const init = await mochila('init', '--dir', dir, '--name', 'Universidad Autónoma del Norte', '--country', 'MX');
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toMatch(/^did: did:key:z6Mk/m);
    const imp = await mochila('catalogue', 'import', '--dir', dir, path.join(ROOT, 'fixtures/units/mx-uan/catalogue.json'));
    expect(imp.code, imp.stderr).toBe(0);
  });
  afterAll(async () => {
    await session?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('issues one credential, verifies it (exit 0), revokes it, and verification then fails (exit 1)', async () => {
    const issued = await mochila('issue', '--dir', dir, '--microcredential', 'prev-iaas', '--name', 'José Ángel Hernández López', '--email', 'jose@correo.example.mx');
    expect(issued.code, issued.stderr).toBe(0);
    const cred = JSON.parse(issued.stdout);
    expect(cred.credentialSubject.achievement.achievementType).toBe('MicroCredential');
    const file = path.join(tmp, 'cred.json');
    writeFileSync(file, issued.stdout);
    const ok = await mochila('verify', '--dir', dir, file);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('VERIFIED');
    const json = await session.run('verify', '--dir', dir, '--json', file);
    expect(JSON.parse(json.stdout).verified).toBe(true);
    // a reason category outside the closed list is refused before anything changes
    const bogus = await session.run('credential', 'revoke', '--dir', dir, '--reason-category', 'superseded', cred.id);
    expect(bogus.code).not.toBe(0);
    expect(bogus.stderr).toContain('issued-in-error, learner-request, assessment-annulled, other');
    expect((await session.run('verify', '--dir', dir, '--json', file)).code).toBe(0);
    const rev = await mochila('credential', 'revoke', '--dir', dir, '--reason', 'error de registro', '--reason-category', 'issued-in-error', cred.id);
    expect(rev.code, rev.stderr).toBe(0);
    const after = await session.run('verify', '--dir', dir, '--json', file);
    expect(after.code).toBe(1);
    // the category is in the report, the free text is not
    expect(JSON.parse(after.stdout).checks.find((c: { id: string }) => c.id === 'status')).toMatchObject({ status: 'failed', statusChange: { reason: 'issued-in-error' } });
    expect(after.stdout).not.toContain('error de registro');
  });

  it('issues a cohort from a BOM + semicolon spreadsheet, and a re-run skips everyone', async () => {
    const csv = path.join(ROOT, 'fixtures/learners/cohort-mx-uan-semicolon-bom.csv');
    const first = await session.run('issue', '--dir', dir, '--csv', csv);
    const r1 = JSON.parse(first.stdout);
    expect(r1.issued, first.stderr).toBeGreaterThan(0);
    expect(first.stderr).toContain(`${r1.total}/${r1.total}`);
    const again = await session.run('issue', '--dir', dir, '--csv', csv);
    const r2 = JSON.parse(again.stdout);
    expect(r2.issued).toBe(0);
    expect(r2.skipped).toBe(r1.issued);
  });

  it('founders: keygen first, a manifest naming them, then init --manifest keeps the same DID', async () => {
    const f = path.join(tmp, 'founder');
    const kg = await mochila('keygen', '--dir', f);
    expect(kg.code, kg.stderr).toBe(0);
    const did = /^did: (\S+)$/m.exec(kg.stdout)![1]!;
    expect(kg.stdout).toMatch(/^peer id: 12D3KooW\S+$/m);
    const manifestFile = path.join(tmp, 'manifest.json');
    const m = await mochila('manifest', 'create', '--name', 'Red de prueba', '--founder', did, '--founder', 'did:key:z6MkhaXgBZDvotDkL5257faiztiGiC2QtKLGpbnnEGta2doK', '--endorsements', '2', '--out', manifestFile);
    expect(m.code, m.stderr).toBe(0);
    const init = await session.run('init', '--dir', f, '--name', 'Universidad Fundadora', '--country', 'GT', '--manifest', manifestFile);
    expect(init.code, init.stderr).toBe(0);
    expect(init.stdout).toContain(`did: ${did}`);
    expect(init.stdout).toContain('(founder)');
  });

  it("verifies a presentation against the challenge given with --challenge / --domain (exit 0 only when the holder's proof carries them)", async () => {
    const issued = await session.run('issue', '--dir', dir, '--microcredential', 'prev-iaas', '--name', 'Lucía Ramírez', '--email', 'lucia@correo.example.mx');
    expect(issued.code, issued.stderr).toBe(0);
    const holder = await createPresentationSigner(generateSeed());
    const vp = await holder.sign(vc.createPresentation({ verifiableCredential: [JSON.parse(issued.stdout)], holder: holder.did }), { challenge: 'c-77', domain: 'uan.example.mx' });
    const file = path.join(tmp, 'vp.json');
    writeFileSync(file, JSON.stringify(vp));
    const ok = await session.run('verify', '--dir', dir, '--challenge', 'c-77', '--domain', 'uan.example.mx', file);
    expect(ok.code, ok.stdout).toBe(0);
    expect(ok.stdout).toContain('credentials verified, holder authenticated');
    const wrong = await session.run('verify', '--dir', dir, '--json', '--challenge', 'c-78', file);
    expect(wrong.code).toBe(1);
    expect(JSON.parse(wrong.stdout).checks.find((c: { id: string }) => c.id === 'holder_authenticated').status).toBe('failed');
    const { proof: _p, ...unsigned } = vp;
    writeFileSync(file, JSON.stringify(unsigned));
    const bare = await session.run('verify', '--dir', dir, file);
    expect(bare.code).toBe(1);
    expect(bare.stdout).toContain('credentials verified, holder not authenticated');
  }, 240_000);

  it("issues a programme's badge with --module files only when every module is given (the seed's programme, mx-itpb)", async () => {
    const unit = dir; // the programme's records imported into this unit's catalogue (codes distinct from mx-uan's)
    // the catalogue and the module credentials through the library on the same folder (the CLI's own code path, without
    // four more process start-ups); the learner's module files are then given to the CLI
    const files = await withServices(unit, {}, async (s) => {
      expect(importCatalogueFile(s.catalogue, path.join(ROOT, 'fixtures/units/mx-itpb/catalogue.json')).errors).toEqual([]);
      const out: string[] = [];
      for (const code of ['dim-modulo-1-potencial', 'dim-modulo-2-diseno', 'dim-modulo-3-gestion-qa']) {
        const m = await s.credentials.issue({ microcredential: code, learner: { name: 'Paula Ibarra', email: 'paula@correo.example.mx' } });
        out.push(path.join(tmp, `${code}.json`));
        writeFileSync(out[out.length - 1]!, JSON.stringify(m.credential));
      }
      return out;
    });
    const learner = ['--name', 'Paula Ibarra', '--email', 'paula@correo.example.mx'];
    const short = await session.run('issue', '--dir', unit, '--microcredential', 'dim-programa-microcredenciales', ...learner, '--module', files[0]!, '--module', files[1]!);
    expect(short.code).not.toBe(0);
    expect(short.stderr).toMatch(/programme_modules_not_held/);
    expect(short.stderr).toContain('dim-modulo-3-gestion-qa');
    const ok = await session.run('issue', '--dir', unit, '--microcredential', 'dim-programa-microcredenciales', ...learner, ...files.flatMap((f) => ['--module', f]));
    expect(ok.code, ok.stderr).toBe(0);
    const badge = JSON.parse(ok.stdout) as { evidence: { id: string }[] };
    const modules = files.map((f) => (JSON.parse(readFileSync(f, 'utf8')) as { id: string }).id);
    expect(badge.evidence.map((e) => e.id).filter((id) => modules.includes(id))).toEqual(modules);
  });

  it('reports a file that is not JSON as a failed parse check, exit 1', async () => {
    const file = path.join(tmp, 'bad.json');
    writeFileSync(file, 'esto no es una credencial');
    const r = await session.run('verify', '--dir', dir, file);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/parse\s+failed/);
  });
});
