/**
 * CSV rows stand alone: a malformed line (an unbalanced quote, text after a closing quote) is reported by its line
 * and every other row of the cohort is read — and issued, on a real node. And the one CSV writer neutralises cells
 * a spreadsheet would run as formulas.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { csvCell, parseCohortCsv, splitCsvLine, toCsv } from '../../node/credentials/csv.js';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

describe('cohort CSV parsing', () => {
  it('reads RFC 4180 quoting on a line: delimiters and "" inside quotes, BOM, CRLF, semicolons', () => {
    expect(splitCsvLine('"Hernández, José";"a""b";x', ';')).toEqual({ cells: ['Hernández, José', 'a"b', 'x'] });
    expect(splitCsvLine(' "a" , b ,', ',')).toEqual({ cells: ['a', 'b', ''] });
    expect(splitCsvLine('O"Brien,o@x.cl', ',')).toEqual({ cells: ['O"Brien', 'o@x.cl'] });
    expect(splitCsvLine('"Ana,ana@x.cl', ',')).toMatchObject({ error: expect.stringMatching(/unbalanced quote/) });
    expect(splitCsvLine('"Ana"x,ana@x.cl', ',')).toMatchObject({ error: expect.stringMatching(/after the closing quote/) });
    const { rows } = parseCohortCsv('\uFEFFnombre;correo\r\n"Peña; Ñuño";nuno@x.cl\r\n');
    expect(rows).toEqual([{ line: 2, name: 'Peña; Ñuño', email: 'nuno@x.cl' }]);
  });

  it('a line with an unbalanced quote is reported by its line and the rows after it are still read', () => {
    const csv = [
      'nombre,correo,microcredencial',
      'Ana Pérez,ana@correo.example.cl,curso-a',
      '"Bruno Díaz,bruno@correo.example.cl,curso-a', // unbalanced quote
      'Carla Soto,carla@correo.example.cl,curso-a',
      '"Dora "Q" Ruiz",dora@correo.example.cl,curso-a', // text after a closing quote
      '"Eva, la segunda",eva@correo.example.cl,curso-a',
      '',
    ].join('\n');
    const { rows } = parseCohortCsv(csv);
    expect(rows.map((r) => [r.line, r.name ?? null, r.error ?? null])).toEqual([
      [2, 'Ana Pérez', null],
      [3, null, expect.stringMatching(/^line 3 cannot be read: unbalanced quote/)],
      [4, 'Carla Soto', null],
      [5, null, expect.stringMatching(/^line 5 cannot be read/)],
      [6, 'Eva, la segunda', null],
    ]);
  });

  it('neutralises formula-looking cells in anything exported as CSV', () => {
    for (const f of ['=HYPERLINK("http://evil.example","x")', '+1+cmd|/C calc!A0', '-2+3', '@SUM(A1:A2)', '\t=1', '\r=1'])
      expect(csvCell(f).replace(/^"/, '')).toMatch(/^'/);
    expect(csvCell('=1+1')).toBe(`"'=1+1"`);
    expect(csvCell('  =1+1')).toBe(`"'  =1+1"`);
    expect(csvCell('Ana, "la" primera')).toBe('"Ana, ""la"" primera"');
    // every cell is quoted, so no delimiter splits it, whatever the spreadsheet's locale
    expect(csvCell('José')).toBe('"José"');
    expect(csvCell(42)).toBe('"42"');
    expect(csvCell(null)).toBe('""');
    // a formula right after a separator is neutralised too, in case a spreadsheet splits the cell there
    expect(csvCell('Ana,=1+1')).toBe(`"Ana,'=1+1"`);
    expect(csvCell('Ana; +1')).toBe(`"Ana; '+1"`);
    expect(csvCell('Ana\t@SUM(A1)')).toBe(`"Ana\t'@SUM(A1)"`);
    expect(csvCell('Pérez-Soto, a-b')).toBe('"Pérez-Soto, a-b"');
    const out = toCsv(['line', 'error'], [[3, 'not an e-mail address: =cmd|"/C calc"!A0'], [4, '@evil']]);
    expect(out).toBe(`"line","error"\r\n"3","not an e-mail address: =cmd|""/C calc""!A0"\r\n"4","'@evil"\r\n`);
    // what was written reads back as the (neutralised) text, cell for cell
    const back = out.split('\r\n').filter(Boolean).map((l) => splitCsvLine(l, ','));
    expect(back[2]).toEqual({ cells: ['4', "'@evil"] });
    // no exported cell starts with a formula character
    for (const l of back.slice(1)) for (const c of (l as { cells: string[] }).cells) expect(c).not.toMatch(/^[=+\-@\t\r]/);
  });

  it('a ";" export read by a spreadsheet that splits on "," (or tabs) shows no part that starts a formula', () => {
    const out = toCsv(['nombre', 'error'], [['Ana,=1+1', 'x'], ['Bea; @SUM(A1:A9)', 'y,-2+3'], ['Ciro\t+cmd|/C calc!A0', '=1']], ';');
    // read back with the right delimiter: the cells as written, neutralised
    const back = out.split('\r\n').filter(Boolean).map((l) => (splitCsvLine(l, ';') as { cells: string[] }).cells);
    expect(back.slice(1)).toEqual([["Ana,'=1+1", 'x'], ["Bea; '@SUM(A1:A9)", "y,'-2+3"], ["Ciro\t'+cmd|/C calc!A0", "'=1"]]);
    // the worst reading: split on every separator a locale may use, quotes ignored; no part starts a formula
    for (const line of out.split('\r\n'))
      for (const part of line.split(/[,;\t]/)) expect(part.replace(/^[\s"]+/, ''), JSON.stringify(part)).not.toMatch(/^[=+\-@]/);
  });
});

describe('a cohort with one malformed row on a started node', () => {
  const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
  const chile = readdirSync(FIXTURES)
    .filter((d) => statSync(path.join(FIXTURES, d)).isDirectory())
    .sort()
    .find((u) => JSON.parse(readFileSync(path.join(FIXTURES, u, 'profile.json'), 'utf8')).country === 'CL')!;
  const record = (JSON.parse(readFileSync(path.join(FIXTURES, chile, 'catalogue.json'), 'utf8')) as { code: string }[])[0]!;
  let n: TestNode;
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });
  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad de Prueba', country: 'CL' });
    const r = await fetch(`${n.url}/api/v1/admin/microcredentials`, { method: 'POST', headers: admin(), body: JSON.stringify(record) });
    expect(r.status, await r.clone().text()).toBe(201);
  });
  afterAll(async () => {
    await n?.close();
  });

  it('issues the other rows and reports the bad one by its line', async () => {
    const csv =
      'nombre;correo\r\n' +
      'Ana Pérez;ana.perez@correo.example.cl\r\n' +
      '"Bruno Díaz;bruno.diaz@correo.example.cl\r\n' +
      'Carla Soto;carla.soto@correo.example.cl\r\n' +
      '=HYPERLINK("http://evil.example","clic");eva.mala@correo.example.cl\r\n' +
      '"Fa,=1+1";fa@correo.example.cl\r\n';
    const r = await fetch(`${n.url}/api/v1/admin/credentials/batch?microcredential=${record.code}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${n.token}`, 'content-type': 'text/csv' },
      body: csv,
    });
    expect(r.status, await r.clone().text()).toBe(202);
    const id = ((await r.json()) as { id: string }).id;
    const deadline = Date.now() + 60_000;
    let job: { state: string; issued: number; failed: number; rows: { line: number; status: string; error?: string }[] };
    for (;;) {
      job = (await (await fetch(`${n.url}/api/v1/admin/jobs/${id}`, { headers: admin() })).json()) as typeof job;
      if (job.state === 'done' || job.state === 'failed') break;
      if (Date.now() > deadline) throw new Error(`job did not finish: ${JSON.stringify(job)}`);
      await new Promise((res) => setTimeout(res, 50));
    }
    expect(job.state).toBe('done');
    expect(job.issued).toBe(4);
    expect(job.failed).toBe(1);
    const byLine = Object.fromEntries(job.rows.map((x) => [x.line, x]));
    expect(byLine[2]!.status).toBe('issued');
    expect(byLine[3]!.status).toBe('failed');
    // no Accept-Language: the reasons in Spanish; in the asker's language otherwise (stored as keys, not as text)
    expect(byLine[3]!.error).toBe('No se puede leer la línea 3: comillas sin cerrar: la celda entre comillas que empieza en la columna 1 no se cierra');
    const inLang = async (lang: string) =>
      ((await (await fetch(`${n.url}/api/v1/admin/jobs/${id}`, { headers: { ...admin(), 'accept-language': lang } })).json()) as typeof job).rows.find((x) => x.line === 3)!.error;
    expect(await inLang('en')).toMatch(/^line 3 cannot be read: unbalanced quote/);
    expect(await inLang('pt-BR,pt;q=0.9')).toBe('Não é possível ler a linha 3: aspas sem fechar: a célula entre aspas que começa na coluna 1 não se fecha');
    expect(byLine[4]!.status).toBe('issued');

    // the results as the node exports them: a spreadsheet, every cell that could run as a formula neutralised
    const out = await fetch(`${n.url}/api/v1/admin/jobs/${id}/rows.csv`, { headers: { authorization: `Bearer ${n.token}` } });
    expect(out.status).toBe(200);
    expect(out.headers.get('content-type')).toMatch(/^text\/csv/);
    expect(out.headers.get('content-disposition')).toMatch(/^attachment; filename="lote-/);
    const bytes = Buffer.from(await out.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]); // UTF-8 BOM, so spreadsheets read the accents
    const text = bytes.subarray(3).toString('utf8');
    const lines = text.split('\r\n').filter(Boolean).map((l) => splitCsvLine(l, ';') as { cells: string[] });
    expect(lines[0]!.cells).toEqual(['línea', 'nombre', 'estado', 'credencial', 'enlace de verificación', 'error']);
    const exported = Object.fromEntries(lines.slice(1).map((l) => [l.cells[0], l.cells]));
    expect(exported['3']![2]).toBe('con error');
    expect(exported['3']![5]).toMatch(/comillas sin cerrar/);
    expect(exported['5']![1]).toBe(`'=HYPERLINK("http://evil.example","clic")`);
    expect(exported['5']![4]).toMatch(/\/verify\?credential=urn%3Auuid%3A|\/verify\?credential=urn:uuid:/);
    for (const l of lines) for (const c of l.cells) expect(c).not.toMatch(/^[=+\-@\t\r]/);
    // every cell quoted, and a name with a comma before a formula neutralised there too (a spreadsheet reading the
    // file with "," as its delimiter sees no formula)
    for (const raw of text.split('\r\n').filter(Boolean)) expect(raw).toMatch(/^"(?:[^"]|"")*"(?:;"(?:[^"]|"")*")*$/);
    expect(exported['6']![1]).toBe("Fa,'=1+1");
    for (const raw of text.split('\r\n'))
      for (const part of raw.split(/[,;\t]/)) expect(part.replace(/^[\s"]+/, ''), JSON.stringify(part)).not.toMatch(/^[=+\-@]/);
    // in Portuguese: header, statuses and reasons (the language of the answer said, and that it varies by it)
    const ptOut = await fetch(`${n.url}/api/v1/admin/jobs/${id}/rows.csv`, { headers: { authorization: `Bearer ${n.token}`, 'accept-language': 'pt-BR' } });
    expect(ptOut.headers.get('content-language')).toBe('pt');
    expect(ptOut.headers.get('vary')).toMatch(/Accept-Language/i);
    const ptLines = (await ptOut.text()).replace(/^\uFEFF/, '').split('\r\n').filter(Boolean).map((l) => (splitCsvLine(l, ';') as { cells: string[] }).cells);
    expect(ptLines[0]).toEqual(['linha', 'nome', 'situação', 'credencial', 'link de verificação', 'erro']);
    const ptRow3 = ptLines.find((c) => c[0] === '3')!;
    expect(ptRow3[2]).toBe('com erro');
    expect(ptRow3[5]).toMatch(/^Não é possível ler a linha 3: aspas sem fechar/);
    expect(ptLines.find((c) => c[0] === '2')![2]).toBe('emitida');
    // admin only
    expect((await fetch(`${n.url}/api/v1/admin/jobs/${id}/rows.csv`)).status).toBe(401);
  });
});
