/**
 * The node answers people in their language: problem+json `title` and `detail` by Accept-Language (es, en, pt;
 * Spanish when none of them is asked for), `code` the same in every language, Content-Language and
 * Vary: Accept-Language on the answer, and an unkeyed English detail kept apart as technicalDetail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

const CL_UAC = JSON.parse(readFileSync(new URL('../../fixtures/units/cl-uac/catalogue.json', import.meta.url), 'utf8')) as (Record<string, unknown> & { code: string })[];

describe('server messages in the asker’s language', () => {
  let n: TestNode;
  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidade de Teste', country: 'BR' });
  }, 60_000);
  afterAll(async () => n?.close());

  const get = async (p: string, headers: Record<string, string> = {}) => {
    const r = await fetch(`${n.url}${p}`, { headers });
    return { r, body: (await r.json()) as { code: string; title: string; detail: string; status: number; technicalDetail?: string } };
  };

  it('an unknown API route: Portuguese, English, and Spanish without Accept-Language, same code', async () => {
    const pt = await get('/api/v1/nada', { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.8' });
    expect(pt.r.status).toBe(404);
    expect(pt.r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(pt.r.headers.get('content-language')).toBe('pt');
    expect(pt.r.headers.get('vary')).toMatch(/Accept-Language/i);
    expect(pt.body).toMatchObject({ code: 'not_found', status: 404, title: 'Não encontrado', detail: 'Não existe a rota da API GET /api/v1/nada.' });

    const en = await get('/api/v1/nada', { 'accept-language': 'en-GB' });
    expect(en.r.headers.get('content-language')).toBe('en');
    expect(en.body).toMatchObject({ code: 'not_found', title: 'Not found', detail: 'No API route GET /api/v1/nada.' });

    const none = await get('/api/v1/nada');
    expect(none.r.headers.get('content-language')).toBe('es');
    expect(none.body).toMatchObject({ code: 'not_found', title: 'No encontrado', detail: 'No existe la ruta de la API GET /api/v1/nada.' });
    const other = await get('/api/v1/nada', { 'accept-language': 'fr-FR, de;q=0.5' });
    expect(other.body.title).toBe('No encontrado');
  });

  it('the admin token: 401 and 403 in the asker’s language', async () => {
    const noToken = await get('/api/v1/admin/credentials', { 'accept-language': 'pt' });
    expect(noToken.r.status).toBe(401);
    expect(noToken.body).toMatchObject({ code: 'unauthorized', title: 'Autenticação necessária' });
    expect(noToken.body.detail).toMatch(/^Esta operação precisa do token de administração/);
    const bad = await get('/api/v1/admin/credentials', { 'accept-language': 'en', authorization: 'Bearer nope' });
    expect(bad.r.status).toBe(403);
    expect(bad.body).toMatchObject({ code: 'forbidden', detail: 'The admin token is not valid for this node.' });
  });

  it('an issuance refused: the keyed reason translated; a body that is not JSON too', async () => {
    const issue = (lang: string | null, body: string) =>
      fetch(`${n.url}/api/v1/admin/credentials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json', ...(lang ? { 'accept-language': lang } : {}) },
        body,
      });
    const req = JSON.stringify({ microcredential: 'no-existe', learner: { name: 'Ana', email: 'ana@correo.example.br' } });
    const pt = (await (await issue('pt', req)).json()) as { code: string; title: string; detail: string };
    expect(pt).toMatchObject({ code: 'unknown_microcredential', title: 'Microcredencial desconhecida', detail: 'O catálogo desta unidade não tem a microcredencial no-existe.' });
    const es = (await (await issue(null, req)).json()) as { code: string; detail: string };
    expect(es).toMatchObject({ code: 'unknown_microcredential', detail: 'El catálogo de esta unidad no tiene la microcredencial no-existe.' });
    const en = (await (await issue('en', req)).json()) as { code: string; detail: string };
    expect(en.detail).toBe("no microcredential no-existe in this unit's catalogue");
    const notJson = await issue('pt', '{"microcredential":');
    expect(notJson.status).toBe(400);
    expect(await notJson.json()).toMatchObject({ code: 'validation_failed', title: 'Dados inválidos', detail: 'O corpo da solicitação não é um JSON válido.' });
  });

  it('an English-only detail: the code’s sentence in Portuguese, the specifics kept as technicalDetail', async () => {
    const r = await fetch(`${n.url}/api/v1/institutions?country=Brasil`, { headers: { 'accept-language': 'pt' } });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { code: string; title: string; detail: string; technicalDetail?: string };
    expect(body.code).toBe('validation_failed');
    expect(body.title).toBe('Dados inválidos');
    expect(body.detail).toBe('A solicitação tem dados ausentes ou inválidos.');
    expect(body.technicalDetail).toBe('country must be an ISO 3166-1 alpha-2 code');
  });

  it('a query refused by its schema: a sentence pointing to the fields, each field’s problem, the English list as technicalDetail', async () => {
    const r = await fetch(`${n.url}/api/v1/admin/credentials?status=nonsense`, { headers: { authorization: `Bearer ${n.token}`, 'accept-language': 'pt' } });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { code: string; detail: string; technicalDetail?: string; errors: { path: string; message: string }[] };
    expect(body.code).toBe('validation_failed');
    expect(body.detail).toBe('Faltam dados ou há dados inválidos: cada problema é indicado junto ao seu campo.');
    expect(body.technicalDetail).toMatch(/^query is not valid: \/status/);
    expect(body.errors.find((e) => e.path === '/status')?.message).toMatch(/^Deve ser um destes valores: /);
  });

  it('field problems of a record refused by the schema: Portuguese, Spanish by default, English; no regex; the English kept', async () => {
    const publish = async (lang: string | null) => {
      const r = await fetch(`${n.url}/api/v1/admin/microcredentials`, {
        method: 'POST',
        headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json', ...(lang ? { 'accept-language': lang } : {}) },
        body: JSON.stringify({ code: 'Curso Uno', title: { es: 'Curso uno' }, languages: ['Spanish'], workload: { hours: 0 } }),
      });
      expect(r.status).toBe(400);
      const body = (await r.json()) as { code: string; errors: { path: string; keyword: string; message: string; technicalMessage: string; params: Record<string, unknown> }[] };
      expect(body.code).toBe('validation_failed');
      const at = (p: string) => body.errors.find((e) => e.path === p)!;
      return { body, at, lang: r.headers.get('content-language') };
    };
    const pt = await publish('pt-BR,pt;q=0.9,en;q=0.8');
    expect(pt.lang).toBe('pt');
    expect(pt.at('/workload/hours')).toMatchObject({ keyword: 'exclusiveMinimum', message: 'Deve ser maior que 0.', technicalMessage: 'must be > 0', params: { limit: 0 } });
    expect(pt.at('/code').message).toMatch(/^Use de 3 a 64 letras minúsculas sem acentos/);
    expect(pt.at('/code').technicalMessage).toMatch(/^must match pattern/);
    expect(pt.at('/languages/0').message).toBe('Um código de idioma como es, en ou pt-BR.');
    expect(pt.at('/workload/credits')).toMatchObject({ keyword: 'required', message: 'Falta o campo obrigatório credits.' });
    for (const e of pt.body.errors) expect(e.message).not.toMatch(/\^|\$"|must /);

    const es = await publish(null);
    expect(es.lang).toBe('es');
    expect(es.at('/workload/hours').message).toBe('Debe ser mayor que 0.');
    expect(es.at('/languages/0').message).toBe('Un código de idioma como es, en o pt-BR.');

    const en = await publish('en');
    expect(en.at('/workload/hours').message).toBe('Must be greater than 0.');
    // the detail points to the fields (no regex in it); the English list of problems stays technical
    const whole = en.body as unknown as { detail: string; technicalDetail: string };
    expect(whole.detail).toBe('Some data is missing or not valid: each problem is given with its field.');
    expect(whole.technicalDetail).toMatch(/^microcredential is not valid: .*must match pattern/);
    expect(en.at('/code').message).toMatch(/^Use 3 to 64 lowercase letters/);
  });

  it('operator refusals carry their specifics in the asker’s language, the English kept as technicalDetail', async () => {
    const send = async (method: string, p: string, lang: string | null, body?: unknown) => {
      const r = await fetch(`${n.url}${p}`, {
        method,
        headers: { authorization: `Bearer ${n.token}`, 'content-type': 'application/json', ...(lang ? { 'accept-language': lang } : {}) },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      return { status: r.status, body: (await r.json()) as { code: string; detail: string; technicalDetail?: string; rows?: { line: number; status: string; error?: string }[] } };
    };
    const mc = { ...CL_UAC[0]!, code: 'mensagens-1' };
    expect((await send('POST', '/api/v1/admin/microcredentials', 'en', mc)).status).toBe(201);
    // the code already used: which code, which version, in Portuguese; the English specifics kept
    const taken = await send('POST', '/api/v1/admin/microcredentials', 'pt-BR', mc);
    expect(taken.status).toBe(409);
    expect(taken.body).toMatchObject({ code: 'conflict', detail: 'Já existe uma microcredencial com o código mensagens-1 (versão 1): edite-a em vez de criar outra.' });
    expect(taken.body.technicalDetail).toBe('a microcredential with code mensagens-1 already exists (version 1); update it instead');
    // an unknown credit system: which id, and which ones are known
    const cs = await send('POST', '/api/v1/admin/microcredentials', null, { ...mc, code: 'mensagens-2', workload: { hours: 30, credits: { system: 'XYZ-1', value: 1 } } });
    expect(cs.status).toBe(400);
    expect(cs.body.code).toBe('unknown_credit_system');
    expect(cs.body.detail).toMatch(/^El sistema de créditos «XYZ-1» no está en los datos de referencia de la red\. Sistemas conocidos: .*ECTS/);
    // not found: what
    const nf = await send('GET', '/api/v1/microcredentials/no-such.0123456789abcdef', 'pt');
    expect(nf).toMatchObject({ status: 404, body: { code: 'not_found', detail: 'Este nó não tem a microcredencial no-such.0123456789abcdef em sua cópia da rede.' } });
    // a cohort preview: each row's reason in the asker's language (a level not in the rubric, a file not sent, too many credits)
    const csv = [
      'nombre;correo;microcredencial;evidencia_archivo;creditos;resultado: Pensamiento crítico',
      'Beto Lagos;beto@correo.example.br;mensagens-1;;;Excelente',
      'Elena Soto;elena@correo.example.br;mensagens-1;no-enviado.pdf;;',
      'Gabriela Ríos;gabriela@correo.example.br;mensagens-1;;9;',
    ].join('\r\n');
    const results = [{ criterion: 'Pensamiento crítico', levels: [{ name: 'Inicial' }, { name: 'Logrado' }] }];
    const pt = await send('POST', '/api/v1/admin/credentials/batch/preview', 'pt', { csv, results });
    expect(pt.status).toBe(200);
    const row = (b: typeof pt, line: number) => b.body.rows!.find((r) => r.line === line)!;
    expect(row(pt, 2)).toMatchObject({ status: 'failed', error: 'Resultado «Pensamiento crítico»: «Excelente» não é um dos seus níveis (Inicial, Logrado).' });
    expect(row(pt, 3).error).toBe('Nenhum dos arquivos enviados com a coorte se chama no-enviado.pdf (coluna evidencia_archivo).');
    expect(row(pt, 4).error).toBe('Os créditos obtidos (9) ultrapassam os da microcredencial (3).');
    const es = await send('POST', '/api/v1/admin/credentials/batch/preview', null, { csv, results });
    expect(row(es, 2).error).toBe('Resultado «Pensamiento crítico»: «Excelente» no es uno de sus niveles (Inicial, Logrado).');
    expect(row(es, 4).error).toBe('Los créditos obtenidos (9) superan los de la microcredencial (3).');
  });
});
