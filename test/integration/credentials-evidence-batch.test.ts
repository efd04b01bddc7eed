// Issue 15 item 1 through the cohort paths: the CSV's optional columns (evidencia_url, evidencia, evidencia_archivo,
// creditos, fecha_inicio, fecha_fin, "resultado: <criterion>") over HTTP (files and the rubric sent with the batch)
// and through `mochila issue` (single credential with --evidence-file / --result, and --csv with the files next to
// the CSV). Bad values are that row's error; a failed row stores nothing (no credential, no file, no link).
// CLI: the issue with every evidence option and `credential show` are real `mochila` processes; the set-up (init,
// catalogue import: real processes in cli.test.ts), verify and the other issues run in one session process
// (test/helpers/cli.ts), since each real start-up costs seconds of CPU.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { ob3SchemaProblems } from '../../node/credentials/ob3-schema.js';
import { PDF, PNG, RUBRIC } from '../helpers/evidence-fixtures.js';
import { cliSession, mochila, type CliSession } from '../helpers/cli.js';

const ROOT = path.resolve(__dirname, '../..');
const catalogue = JSON.parse(readFileSync(path.join(ROOT, 'fixtures/units/cl-uac/catalogue.json'), 'utf8')) as (Record<string, unknown> & { code: string })[];
const sha = (b: Buffer) => createHash('sha256').update(b).digest('hex');
/** The rubric as a template: each criterion's levels, no learner's value. */
const TEMPLATE = RUBRIC.map(({ achievedLevel: _a, ...t }) => t);

describe('evidence and results columns of a cohort CSV (HTTP batch)', () => {
  let n: TestNode;
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json', 'accept-language': 'en' });
  const count = (table: string) => (n.node.services.store.sqlite.prepare(`SELECT count(*) AS c FROM ${table}`).get() as { c: number }).c;

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    const r = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', headers: admin(), body: JSON.stringify(catalogue[0]) });
    expect(r.status, await r.clone().text()).toBe(201);
  });
  afterAll(async () => {
    await n?.close();
  });

  it('issues the good rows with their evidence and results; each bad value is its row\'s error and stores nothing', async () => {
    const code = catalogue[0]!.code;
    const head = ['nombre', 'correo', 'microcredencial', 'evidencia_archivo', 'evidencia_url', 'evidencia', 'creditos', 'fecha_inicio', 'fecha_fin', ...RUBRIC.map((r) => `resultado: ${r.criterion}`), 'resultado: Nota final'];
    const row = (name: string, email: string, cells: Partial<Record<string, string>>) =>
      head.map((h) => (h === 'nombre' ? name : h === 'correo' ? email : h === 'microcredencial' ? code : (cells[h] ?? ''))).join(';');
    const good = { evidencia_archivo: 'portafolio.pdf | poster.png', evidencia_url: 'https://repo.example.cl/ana', evidencia: 'Portafolio de los tres módulos.', creditos: '2,5', fecha_inicio: '2026-03-02', fecha_fin: '2026-06-26', 'resultado: Pensamiento crítico': 'Logrado', 'resultado: Autorreflexión': 'Destacado', 'resultado: Nota final': '6,4' };
    const csv = [
      head.join(';'),
      row('Ana Rojas', 'ana@correo.example.cl', good), // line 2
      row('Beto Lagos', 'beto@correo.example.cl', { ...good, 'resultado: Pensamiento crítico': 'Excelente' }), // 3: not a level
      row('Carla Díaz', 'carla@correo.example.cl', { creditos: 'dos' }), // 4: not a number
      row('Diego Paz', 'diego@correo.example.cl', { evidencia_url: 'javascript:alert(1)' }), // 5: not http(s)
      row('Elena Soto', 'elena@correo.example.cl', { evidencia_archivo: 'no-enviado.pdf' }), // 6: file not sent
      row('Fabián Vera', 'fabian@correo.example.cl', { fecha_inicio: '2026-06-01', fecha_fin: '2026-05-01' }), // 7: end before start
      row('Gabriela Ríos', 'gabriela@correo.example.cl', { creditos: '9' }), // 8: more than the microcredential's credits
      row('Hugo Mena', 'hugo@correo.example.cl', { evidencia: 'Sólo una narrativa.' }), // 9: good, narrative only
    ].join('\r\n');
    const before = { credentials: count('issued_credentials'), files: count('evidence_files'), links: count('credential_evidence') };
    const r = await fetch(`${n.url}/api/v1/admin/credentials/batch`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({
        csv,
        files: [
          { name: 'portafolio.pdf', mediaType: 'application/pdf', content: PDF.toString('base64') },
          { name: 'poster.png', mediaType: 'image/png', content: PNG.toString('base64') },
        ],
        results: [...TEMPLATE, { criterion: 'Nota final', resultType: 'ScaledScore', valueMin: '1,0', valueMax: '7,0' }],
      }),
    });
    expect(r.status, await r.clone().text()).toBe(202);
    const job = (await r.json()) as { id: string };
    const deadline = Date.now() + 60_000;
    let done: { state: string; rows: { line: number; id?: string; status: string; error?: string }[] };
    for (;;) {
      done = await (await fetch(`${n.url}/api/v1/admin/jobs/${job.id}`, { headers: admin() })).json();
      if (done.state === 'done' || done.state === 'failed' || Date.now() > deadline) break;
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(done.state).toBe('done');
    const byLine = new Map(done.rows.map((x) => [x.line, x]));
    expect([...byLine.values()].filter((x) => x.status === 'issued').map((x) => x.line)).toEqual([2, 9]);
    expect(byLine.get(3)!.error).toMatch(/"Excelente" is not one of its levels/);
    expect(byLine.get(4)!.error).toMatch(/credits earned is not a number: dos/);
    expect(byLine.get(5)!.error).toMatch(/not an http\(s\) link: javascript:alert\(1\)/);
    expect(byLine.get(6)!.error).toMatch(/no file named no-enviado.pdf/);
    expect(byLine.get(7)!.error).toMatch(/end date comes before the start date/);
    expect(byLine.get(8)!.error).toMatch(/more than the microcredential's credits/);
    // two credentials, the two files stored once, two links (only Ana's row names files)
    expect({ credentials: count('issued_credentials'), files: count('evidence_files'), links: count('credential_evidence') }).toEqual({ credentials: before.credentials + 2, files: before.files + 2, links: before.links + 2 });

    const ana = (await (await fetch(`${n.url}/api/v1/credentials/${encodeURIComponent(byLine.get(2)!.id!)}`)).json()) as Record<string, any>;
    expect(ob3SchemaProblems(ana)).toEqual([]);
    expect(ana.evidence.map((e: { id?: string }) => e.id)).toEqual([`${n.url}/api/v1/evidence/${sha(PDF)}`, `${n.url}/api/v1/evidence/${sha(PNG)}`, 'https://repo.example.cl/ana']);
    expect(ana.evidence[0].narrative).toBe('Portafolio de los tres módulos.');
    const s = ana.credentialSubject;
    expect([s.creditsEarned, s.activityStartDate, s.activityEndDate]).toEqual([2.5, '2026-03-02T00:00:00Z', '2026-06-26T00:00:00Z']);
    const names = s.achievement.resultDescription.map((d: { name: string }) => d.name);
    expect(names).toEqual(['Pensamiento crítico', 'Autorreflexión', 'Nota final']);
    expect(s.result[0].achievedLevel).toBe(s.achievement.resultDescription[0].rubricCriterionLevel[2].id); // Logrado
    expect(s.result[1].achievedLevel).toBe(s.achievement.resultDescription[1].rubricCriterionLevel[3].id); // Destacado
    expect(s.result[2]).toMatchObject({ value: '6,4' });
    expect(s.achievement.resultDescription[2]).toMatchObject({ resultType: 'ScaledScore', valueMin: '1,0', valueMax: '7,0' });
    const served = Buffer.from(await (await fetch(ana.evidence[0].id)).arrayBuffer());
    expect(sha(served)).toBe(sha(PDF));
    const hugo = (await (await fetch(`${n.url}/api/v1/credentials/${encodeURIComponent(byLine.get(9)!.id!)}`)).json()) as Record<string, any>;
    expect(hugo.evidence).toEqual([{ type: ['Evidence'], narrative: 'Sólo una narrativa.' }]);
  });

  it('a bad file sent with the batch refuses the whole request with its code (no job)', async () => {
    const r = await fetch(`${n.url}/api/v1/admin/credentials/batch`, {
      method: 'POST',
      headers: admin(),
      body: JSON.stringify({ csv: 'nombre;correo\r\nZoe;zoe@correo.example.cl\r\n', microcredential: catalogue[0]!.code, files: [{ name: 'x.pdf', mediaType: 'application/pdf', content: Buffer.from('MZ\x90\x00').toString('base64') }] }),
    });
    expect(r.status).toBe(415);
    expect(((await r.json()) as { code: string }).code).toBe('evidence_type_not_allowed');
  });
});

describe('evidence and results through mochila issue (CLI)', () => {
  let tmp: string;
  let dir: string;
  let session: CliSession;
  beforeAll(async () => {
    session = cliSession();
    tmp = mkdtempSync(path.join(tmpdir(), 'mochila-ev-cli-'));
    dir = path.join(tmp, 'node');
    const init = await session.run('init', '--dir', dir, '--name', 'Universidad Autónoma del Norte', '--country', 'MX');
    expect(init.code, init.stderr).toBe(0);
    const imp = await session.run('catalogue', 'import', '--dir', dir, path.join(ROOT, 'fixtures/units/mx-uan/catalogue.json'));
    expect(imp.code, imp.stderr).toBe(0);
  }, 240_000);
  afterAll(async () => {
    await session?.close();
    rmSync(tmp, { recursive: true, force: true });
  });

  it('one credential: --evidence-file, --evidence-url, --result with --results-file, credits and dates; verify shows the evidence check', async () => {
    const pdf = path.join(tmp, 'portafolio final.pdf');
    writeFileSync(pdf, PDF);
    const rubric = path.join(tmp, 'rubrica.json');
    writeFileSync(rubric, JSON.stringify(TEMPLATE));
    const out = await mochila('issue', '--dir', dir, '--microcredential', 'prev-iaas', '--name', 'Rosa Ibarra', '--email', 'rosa@correo.example.mx',
      '--evidence-file', pdf, '--evidence-url', 'https://repo.example.mx/rosa', '--evidence-narrative', 'Portafolio con rúbrica.',
      '--results-file', rubric, '--result', 'Pensamiento crítico=Destacado', '--result', 'Adecuación al contexto=Logrado',
      '--credits-earned', '2.5', '--activity-start', '2026-03-02', '--activity-end', '2026-06-26');
    expect(out.code, out.stderr).toBe(0);
    const cred = JSON.parse(out.stdout) as Record<string, any>;
    expect(ob3SchemaProblems(cred)).toEqual([]);
    expect(cred.evidence[0]).toMatchObject({ name: 'portafolio final.pdf', narrative: 'Portafolio con rúbrica.', mediaType: 'application/pdf', digestSRI: `sha256-${createHash('sha256').update(PDF).digest('base64')}` });
    expect(cred.evidence[0].id).toMatch(new RegExp(`/api/v1/evidence/${sha(PDF)}$`));
    expect(cred.evidence[1]).toMatchObject({ id: 'https://repo.example.mx/rosa' });
    expect(cred.credentialSubject.creditsEarned).toBe(2.5);
    expect(cred.credentialSubject.result).toHaveLength(2);
    expect(cred.credentialSubject.achievement.resultDescription.map((d: { name: string }) => d.name)).toEqual(['Pensamiento crítico', 'Adecuación al contexto']);
    const file = path.join(tmp, 'rosa.json');
    writeFileSync(file, out.stdout);
    const v = await session.run('verify', '--dir', dir, '--json', file);
    expect(v.code, v.stdout).toBe(0);
    expect(JSON.parse(v.stdout).checks.find((c: { id: string }) => c.id === 'evidence')).toMatchObject({ status: 'ok' });
    // refused: a type off the list, and a symbolic link is not followed
    const html = path.join(tmp, 'pagina.html');
    writeFileSync(html, '<script>alert(1)</script>');
    const bad = await session.run('issue', '--dir', dir, '--microcredential', 'farmacovigilancia', '--name', 'Rosa Ibarra', '--email', 'rosa@correo.example.mx', '--evidence-file', html);
    expect(bad.code).not.toBe(0);
    expect(bad.stderr).toMatch(/evidence_type_not_allowed/);
    const link = path.join(tmp, 'enlace.pdf');
    symlinkSync(pdf, link);
    const viaLink = await session.run('issue', '--dir', dir, '--microcredential', 'farmacovigilancia', '--name', 'Rosa Ibarra', '--email', 'rosa@correo.example.mx', '--evidence-file', link);
    expect(viaLink.code).not.toBe(0);
    expect(viaLink.stderr).toMatch(/symbolic links are not followed/);
  }, 180_000);

  it('a cohort: files next to the CSV, a name with a path is never opened, bad values per row', async () => {
    const cohort = path.join(tmp, 'cohorte');
    mkdirSync(cohort);
    writeFileSync(path.join(cohort, 'portafolio-luis.pdf'), PDF);
    writeFileSync(path.join(tmp, 'secreto.pdf'), PDF); // outside the CSV's folder
    const rubric = path.join(tmp, 'rubrica.json');
    writeFileSync(rubric, JSON.stringify(TEMPLATE));
    const csv = path.join(cohort, 'cohorte.csv');
    writeFileSync(csv, [
      'nombre,correo,microcredencial,evidencia_archivo,creditos,resultado: Pensamiento crítico',
      'Luis Pérez,luis@correo.example.mx,soporte-vital,portafolio-luis.pdf,1.5,Logrado',
      'Marta Gil,marta@correo.example.mx,soporte-vital,../secreto.pdf,1,Logrado',
      'Nora Ruiz,nora@correo.example.mx,soporte-vital,,1,Brillante',
    ].join('\n'));
    const out = await session.run('issue', '--dir', dir, '--csv', csv, '--results-file', rubric);
    const r = JSON.parse(out.stdout) as { issued: number; failed: number; rows: { line: number; status: string; id?: string; error?: string }[] };
    expect([r.issued, r.failed], out.stderr).toEqual([1, 2]);
    expect(r.rows.find((x) => x.line === 3)!.error).toMatch(/no file named \.\.\/secreto\.pdf/);
    expect(r.rows.find((x) => x.line === 4)!.error).toMatch(/"Brillante" is not one of its levels/);
    const show = await mochila('credential', 'show', '--dir', dir, r.rows.find((x) => x.line === 2)!.id!);
    expect(show.code, show.stderr).toBe(0);
    const c = JSON.parse(show.stdout);
    const cred = (c.credential ?? c) as Record<string, any>;
    expect(cred.evidence[0].id).toMatch(new RegExp(`/api/v1/evidence/${sha(PDF)}$`));
    expect(cred.credentialSubject.result[0].achievedLevel).toMatch(/#result-1-level-3$/);
  }, 180_000);
});
