// A cohort's preview (dry run) and its batch give each row the same verdict: one function (BatchJobService's
// rowVerdict) decides both. Property-tested with fast-check on generated files against a node whose state grows
// between runs (learners issued by earlier runs come back as "already issued"); plus the template (every column it
// names is one the parser reads, its example row is accepted) and the error file (the bad rows' own cells and reason).
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { memoryServices } from '../helpers/nodes.js';
import { cohortErrorCsv, cohortTemplateCsv, parseCohortCsv, TEMPLATE_HEADERS } from '../../node/credentials/csv.js';

const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
const load = (f: string) => JSON.parse(readFileSync(path.join(FIXTURES, 'mx-uan', f), 'utf8')) as unknown;

/** A cell as a registrar might write it: the separator and quotes escaped as RFC 4180 says. */
const cell = (v: string) => (/[;"]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

describe('cohort preview', () => {
  it("gives every row the batch's verdict (status and reason), whatever the file and the node's state", async () => {
    const s = memoryServices();
    s.institution.ensureIssuerKeyPublished();
    s.institution.publishProfile(load('profile.json'));
    const records = load('catalogue.json') as { code: string }[];
    const a = s.catalogue.create(records[0]);
    const b = s.catalogue.create(records[1]);
    const name = fc.constantFrom('Ana Pérez', 'Ana Pérez', 'Ana Pérez', 'Ana Pérez', 'Luis "Lucho" Gómez', '', 'María; José', 'x'.repeat(301));
    // {run}: learners new to this run (so rows repeating each other within a file are met), beside a learner every
    // run shares (issued by an earlier run: "already issued")
    const email = fc.constantFrom('ana@{run}.example.mx', 'ana@{run}.example.mx', 'luis@{run}.example.mx', 'ANA@{run}.example.mx', 'no-es-correo', '', 'veterana@uni.example.mx');
    const mc = fc.constantFrom('', '', '', a.record.code, b.id, 'no-existe', a.id);
    const until = fc.constantFrom('', '', '', '', '', '', '2099-12-31', '2001-01-01', 'mañana');
    const lang = fc.constantFrom('', '', '', '', '', 'es', 'pt', 'klingon');
    const credits = fc.constantFrom('', '', '', '', '', '', '1', '9999', 'muchos');
    const row = fc.tuple(name, email, mc, until, lang, credits);
    let runs = 0;
    const met = new Map<string, number>(); // the verdicts the runs met (the property is not vacuous)
    await fc.assert(
      fc.asyncProperty(fc.array(row, { minLength: 1, maxLength: 7 }), fc.constantFrom(undefined, a.id, 'no-existe-tampoco'), async (rows, forAll) => {
        runs++;
        const csv = ['nombre;correo;microcredencial;vigencia;idioma;creditos', ...rows.map((r) => r.map(cell).join(';').replace('{run}', `u${runs}`))].join('\n');
        let preview;
        try {
          preview = await s.credentials.previewBatch(csv, forAll ? { microcredential: forAll } : {});
        } catch (e) {
          // refused as a whole (an unknown microcredential for the rest): the batch refuses the file the same way
          expect(() => s.credentials.startBatch(csv, forAll ? { microcredential: forAll } : {})).toThrow((e as Error).message);
          return;
        }
        const batch = await s.credentials.issueRows(parseCohortCsv(csv).rows, forAll ? { microcredential: forAll } : {});
        expect(preview.rows.map((r) => r.line)).toEqual(batch.map((r) => r.line));
        preview.rows.forEach((p, i) => {
          const r = batch[i]!;
          const k = p.reason?.key ?? p.status;
          met.set(k, (met.get(k) ?? 0) + 1);
          expect({ line: p.line, status: p.status === 'ok' ? 'issued' : p.status, reason: p.reason, error: p.error }).toEqual({ line: r.line, status: r.status, reason: r.reason, error: r.error });
          // the preview names the microcredential each row would get, and where it comes from
          // (a blank row is no row: the file's row of a verdict is found by its line, the header being line 1)
          const given = rows[p.line - 2]![2];
          const ref = given || forAll;
          if (ref) expect(p.microcredential).toMatchObject({ ref, from: given ? 'file' : 'form' });
        });
        expect(preview.ok + preview.skipped + preview.failed).toBe(preview.total);
      }),
      {
        numRuns: 40,
        // the verdicts every run must meet come first (examples run before the generated files), so the coverage
        // check below never depends on the random draw
        examples: [
          [[['Ana Pérez', 'veterana@uni.example.mx', '', '', '', ''], ['Ana Pérez', 'ana@{run}.example.mx', '', '', '', ''], ['Ana Pérez', 'ANA@{run}.example.mx', '', '', '', '']], a.id],
          [[['Ana Pérez', 'veterana@uni.example.mx', '', '', '', ''], ['', 'luis@{run}.example.mx', '', '', '', ''], ['Ana Pérez', 'no-es-correo', '', '', '', '']], a.id],
          [[['Ana Pérez', 'luis@{run}.example.mx', 'no-existe', '', '', ''], ['Ana Pérez', 'ana@{run}.example.mx', '', '2001-01-01', '', '']], a.id],
        ],
      },
    );
    expect(runs).toBeGreaterThanOrEqual(40);
    for (const k of ['ok', 'csv.duplicateInFile', 'csv.alreadyIssuedOn', 'csv.notEmail', 'csv.missingName', 'issue.unknownMicrocredential', 'issue.validUntilPast'])
      expect(met.get(k) ?? 0, `${k} in ${JSON.stringify([...met])}`).toBeGreaterThan(0);
    s.store.close();
  }, 240_000);

  it('skips a row that repeats an earlier row of the same file, in the preview as in the batch', async () => {
    const s = memoryServices();
    s.institution.ensureIssuerKeyPublished();
    s.institution.publishProfile(load('profile.json'));
    const a = s.catalogue.create((load('catalogue.json') as unknown[])[0]);
    const csv = 'nombre;correo\nAna;ana@uni.example.mx\nAna P.;ANA@uni.example.mx\nLuis;luis@\n';
    const p = await s.credentials.previewBatch(csv, { microcredential: a.id }, 'es');
    expect(p.rows.map((r) => [r.line, r.status, r.error])).toEqual([
      [2, 'ok', undefined],
      [3, 'skipped', 'Repetida: la línea 2 del mismo archivo ya la emite.'],
      [4, 'failed', 'No es una dirección de correo: luis@'],
    ]);
    expect(p.rows[0]).toMatchObject({ name: 'Ana', email: 'ana@uni.example.mx', microcredential: { ref: a.id, id: a.id, from: 'form', title: { es: expect.any(String) } } });
    // nothing issued by the preview
    expect(s.store.sqlite.prepare('SELECT count(*) AS n FROM issued_credentials').get()).toEqual({ n: 0 });
    const batch = await s.credentials.issueRows(parseCohortCsv(csv).rows, { microcredential: a.id });
    expect(batch.map((r) => r.status)).toEqual(['issued', 'skipped', 'failed']);
    expect(batch[1]!.reason).toEqual({ key: 'csv.duplicateInFile', params: { line: 2 } });
    // run again: both Ana rows are now "already issued on <today>"
    const again = await s.credentials.previewBatch(csv, { microcredential: a.id }, 'es');
    const today = new Date().toISOString().slice(0, 10);
    expect(again.rows.slice(0, 2).map((r) => r.error)).toEqual([`Ya emitida el ${today}.`, `Ya emitida el ${today}.`]);
    s.store.close();
  });

  it('offers a template whose every column the parser reads, with an example row it accepts (es, en, pt)', () => {
    for (const lang of ['es', 'en', 'pt'] as const) {
      const text = cohortTemplateCsv(lang);
      const { rows, columns } = parseCohortCsv(text);
      expect(columns).toEqual(TEMPLATE_HEADERS[lang].map((h) => h.toLowerCase()));
      expect(rows).toHaveLength(1);
      expect(rows[0]!.error).toBeUndefined();
      expect(rows[0]).toMatchObject({ name: 'Ana Pérez', email: 'ana.perez@example.org', language: lang });
      // every header is a column the parser knows: with a value in each, each lands in the row
      const full = TEMPLATE_HEADERS[lang].map((h) => {
        if (/^(resultado|result)\s*:/.test(h)) return 'Logrado';
        if (/did/.test(h)) return 'did:key:z6Mk';
        if (/vigencia|valid|válido/.test(h)) return '2099-01-01';
        if (/fecha|date/.test(h)) return '2026-01-01';
        if (/credit/.test(h)) return '2';
        if (/url/.test(h)) return 'https://example.org/p';
        if (/archivo|file/.test(h)) return 'p.pdf';
        if (/idioma|language/.test(h)) return 'es';
        if (/correo|mail/.test(h)) return 'a@b.example';
        if (/micro/.test(h)) return 'MC-1';
        return 'Texto';
      });
      const parsed = parseCohortCsv([TEMPLATE_HEADERS[lang].join(';'), full.join(';')].join('\n')).rows[0]!;
      expect(parsed.error).toBeUndefined();
      expect(parsed).toMatchObject({ name: 'Texto', email: 'a@b.example', did: 'did:key:z6Mk', microcredential: 'MC-1', validUntil: '2099-01-01', language: 'es' });
      expect(parsed.extras).toEqual({
        evidenceUrls: ['https://example.org/p'],
        evidenceNarrative: 'Texto',
        evidenceFiles: ['p.pdf'],
        creditsEarned: 2,
        activityStartDate: '2026-01-01',
        activityEndDate: '2026-01-01',
        results: { [lang === 'en' ? '<criterion>' : '<criterio>']: 'Logrado' },
      });
    }
  });

  it("writes the error file with the bad rows' own cells and their reason, formula cells neutralised", () => {
    const csv = 'nombre,correo,idioma\r\nAna,ana@uni.example.mx,es\r\n=HYPERLINK("x"),no-es-correo,es\r\n"Luis, el ""Lucho""",luis@,\r\n';
    const out = cohortErrorCsv(csv, [
      { line: 3, error: 'No es una dirección de correo: no-es-correo' },
      { line: 4, error: 'No es una dirección de correo: luis@' },
    ], 'error');
    expect(out.split('\r\n')).toEqual([
      '"nombre";"correo";"idioma";"error"',
      `"'=HYPERLINK(""x"")";"no-es-correo";"es";"No es una dirección de correo: no-es-correo"`,
      '"Luis, el ""Lucho""";"luis@";"";"No es una dirección de correo: luis@"',
      '',
    ]);
  });
});
