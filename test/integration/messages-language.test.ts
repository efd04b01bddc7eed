/**
 * The node answers people in their language: problem+json `title` and `detail` by Accept-Language (es, en, pt;
 * Spanish when none of them is asked for), `code` the same in every language, Content-Language and
 * Vary: Accept-Language on the answer, and an unkeyed English detail kept apart as technicalDetail.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestNode, type TestNode } from '../helpers/nodes.js';

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
    const r = await fetch(`${n.url}/api/v1/admin/credentials?status=nonsense`, { headers: { authorization: `Bearer ${n.token}`, 'accept-language': 'pt' } });
    expect(r.status).toBe(400);
    const body = (await r.json()) as { code: string; title: string; detail: string; technicalDetail?: string };
    expect(body.code).toBe('validation_failed');
    expect(body.title).toBe('Dados inválidos');
    expect(body.detail).toBe('A solicitação tem dados ausentes ou inválidos.');
    expect(body.technicalDetail).toMatch(/^query is not valid: \/status/);
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
    expect(en.at('/code').message).toMatch(/^Use 3 to 64 lowercase letters/);
  });
});
