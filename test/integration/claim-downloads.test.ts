// The claim page's downloads through a real started node (issue 15 item 4): the PDF certificate, read by pdf.js
// (an independent PDF engine), says who earned what from whom, when, with the workload and credits, in Spanish,
// English or Portuguese, and its QR code (decoded by jsQR) opens the verification link; the PNG and SVG badges
// carry the signed credential baked in per Open Badges 3.0, which comes back out and verifies at POST /api/v1/verify
// (the image itself as the body); a tampered baked credential fails; hostile names neither break the PDF nor
// inject markup in the SVG; the downloads answer an unknown token like the claim link (404, no-store).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { crc32 } from 'node:zlib';
import { startTestNode, type TestNode } from '../helpers/nodes.js';
import { unitOfCountry } from '../helpers/fixtures.js';
import { readPdf } from '../helpers/pdf.js';
import { extractBaked, OB3_BAKING_NAMESPACE, PNG_KEYWORD } from '../../node/credentials/baking.js';

const { catalogue } = unitOfCountry('CL');
const record = catalogue[0]! as { code: string; title: { es: string; en: string }; workload: { hours: number; credits: { system: string; value: number } } };

const tokenOf = (claimUrl: string) => /\/claim\/([A-Za-z0-9_-]{43})$/.exec(claimUrl)![1]!;

/** The PNG's chunks as [type, data] (the test's own reading, to tamper with one). */
function chunks(png: Buffer): { type: string; data: Buffer }[] {
  const out: { type: string; data: Buffer }[] = [];
  for (let at = 8; at < png.length; ) {
    const len = png.readUInt32BE(at);
    out.push({ type: png.toString('latin1', at + 4, at + 8), data: png.subarray(at + 8, at + 8 + len) });
    at += 12 + len;
  }
  return out;
}
function png(cs: { type: string; data: Buffer }[]): Buffer {
  return Buffer.concat([
    Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]),
    ...cs.map((c) => {
      const head = Buffer.alloc(8);
      head.writeUInt32BE(c.data.length);
      head.write(c.type, 4, 'latin1');
      const crc = Buffer.alloc(4);
      crc.writeUInt32BE(crc32(Buffer.concat([head.subarray(4), c.data])) >>> 0);
      return Buffer.concat([head, c.data, crc]);
    }),
  ]);
}

describe('claim page downloads through a started node', () => {
  let n: TestNode;
  const admin = () => ({ authorization: `Bearer ${n.token}`, 'content-type': 'application/json' });
  const post = (p: string, body: unknown) => fetch(`${n.url}${p}`, { method: 'POST', headers: admin(), body: JSON.stringify(body) });
  let learners = 0;
  const issue = async (microcredential: string, name: string) => {
    const r = await post('/api/v1/admin/credentials', { microcredential, learner: { name, email: `learner${++learners}@correo.example.cl` } });
    expect(r.status, await r.clone().text()).toBe(201);
    const c = (await r.json()) as { id: string; claimUrl: string; verifyUrl: string; credential: Record<string, unknown> };
    const claim = await (await fetch(`${n.url}/api/v1/claims/${tokenOf(c.claimUrl)}`)).json();
    return { ...c, links: claim.links as { pdf: string; png: string; svg: string; verify: string } };
  };
  const verifyImage = async (body: Buffer | string, type: string) => {
    const r = await fetch(`${n.url}/api/v1/verify`, { method: 'POST', headers: { 'content-type': type }, body: typeof body === 'string' ? body : new Uint8Array(body) });
    return { status: r.status, body: (await r.json()) as { verified: boolean; checks: { id: string; status: string }[]; detail?: string } };
  };
  const hostileCode = `${record.code}-hostil`;
  const hostileTitle = 'Curso <script>alert(1)</script> ]]> & "comillas" \u202Eevil';

  beforeAll(async () => {
    n = await startTestNode({ name: 'Universidad Austral de Prueba', country: 'CL' });
    let r = await post('/api/v1/admin/microcredentials', record);
    expect(r.status, await r.clone().text()).toBe(201);
    r = await post('/api/v1/admin/microcredentials', { ...record, code: hostileCode, title: { es: hostileTitle, en: hostileTitle } });
    expect(r.status, await r.clone().text()).toBe(201);
  });
  afterAll(async () => {
    await n?.close();
  });

  it('serves a PDF certificate whose text says who earned what, from whom, when, and whose QR code opens the verification link', async () => {
    const c = await issue(record.code, 'María José Muñoz Pérez');
    expect(c.links.pdf).toBe(`${n.url}/api/v1/claims/${tokenOf(c.claimUrl)}/certificate.pdf`);
    const r = await fetch(`${c.links.pdf}?lang=es`);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('application/pdf');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('referrer-policy')).toBe('no-referrer');
    // named by the achievement and what the file is, in the file's language (it was certificado-urn_uuid_….pdf)
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9]+(-[a-z0-9]+)*-certificado\.pdf"$/);
    expect(r.headers.get('content-disposition')).not.toContain('urn');
    expect((await fetch(`${c.links.pdf}?lang=en`)).headers.get('content-disposition')).toMatch(/-certificate\.pdf"$/);
    const pdf = await readPdf(new Uint8Array(await r.arrayBuffer()));
    expect(pdf.pages).toBe(1);
    expect(pdf.text).toContain('CERTIFICADO DE MICROCREDENCIAL');
    expect(pdf.text).toContain('María José Muñoz Pérez');
    expect(pdf.text).toContain(record.title.es);
    expect(pdf.text).toContain('Universidad Austral de Prueba');
    expect(pdf.text).toContain(`${record.workload.hours} horas`);
    expect(pdf.text).toContain(`${record.workload.credits.value} ${record.workload.credits.system}`);
    expect(pdf.text).toMatch(/Fecha de emisión:\s+\d{1,2} de [a-z]+ de \d{4}/);
    expect(pdf.text).toContain(c.verifyUrl);
    expect(pdf.text).toContain(c.id);
    // the only image is the QR code, and it decodes to the public verification link
    expect(pdf.qrCodes).toEqual([c.verifyUrl]);
    expect(c.links.verify).toBe(c.verifyUrl);
    expect(String(pdf.info['Author'])).toBe('Universidad Austral de Prueba');
  });

  it('writes the certificate in English or Portuguese (?lang, else Accept-Language), the issuer never translated', async () => {
    const c = await issue(record.code, 'John Smith');
    const en = await readPdf(new Uint8Array(await (await fetch(`${c.links.pdf}?lang=en`)).arrayBuffer()));
    expect(en.text).toContain('MICROCREDENTIAL CERTIFICATE');
    expect(en.text).toContain(record.title.en); // the achievement's English edition
    expect(en.text).toContain(`${record.workload.hours} hours`);
    expect(en.text).toContain('Universidad Austral de Prueba');
    expect(en.qrCodes).toEqual([c.verifyUrl]);
    const r = await fetch(c.links.pdf, { headers: { 'accept-language': 'pt-BR,pt;q=0.9,en;q=0.5' } });
    expect(r.headers.get('content-language')).toBe('pt');
    const pt = await readPdf(new Uint8Array(await r.arrayBuffer()));
    expect(pt.text).toContain('Certifica-se que');
    expect(pt.text).toContain('Data de emissão');
    expect(pt.text).toContain('Universidad Austral de Prueba');
    // an unknown language falls back to Spanish
    const es = await readPdf(new Uint8Array(await (await fetch(`${c.links.pdf}?lang=xx`, { headers: { 'accept-language': 'de' } })).arrayBuffer()));
    expect(es.text).toContain('Se certifica que');
  });

  it('never fails on a name the PDF fonts cannot write: accents kept, other letters folded, the rest replaced', async () => {
    const name = 'Zoë Łukasz Ñandú Gonçalves Ő 李小龍 🎓 \u202Eevil\u0000';
    const c = await issue(record.code, name);
    const r = await fetch(`${c.links.pdf}?lang=es`);
    expect(r.status).toBe(200);
    const pdf = await readPdf(new Uint8Array(await r.arrayBuffer()));
    expect(pdf.text).toContain('Zoë Lukasz Ñandú Gonçalves O ??? ? evil');
    expect(pdf.qrCodes).toEqual([c.verifyUrl]);
  });

  it('serves the badge as a PNG with the credential baked in an openbadgecredential iTXt chunk, which verifies when posted', async () => {
    const c = await issue(record.code, 'Ana Contreras');
    const r = await fetch(c.links.png);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toBe('image/png');
    expect(r.headers.get('cache-control')).toBe('no-store');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9]+(-[a-z0-9]+)*-insignia\.png"$/);
    expect((await fetch(`${c.links.png}?lang=en`)).headers.get('content-disposition')).toMatch(/-badge\.png"$/);
    expect((await fetch(c.links.png, { headers: { 'accept-language': 'en-US' } })).headers.get('content-disposition')).toMatch(/-badge\.png"$/);
    const bytes = Buffer.from(await r.arrayBuffer());
    // the chunk as the spec writes it: keyword, no compression, empty language and translated keyword, the JSON
    const itxt = chunks(bytes).filter((x) => x.type === 'iTXt');
    expect(itxt).toHaveLength(1);
    const prefix = Buffer.concat([Buffer.from(PNG_KEYWORD, 'latin1'), Buffer.from([0, 0, 0, 0, 0])]);
    expect(itxt[0]!.data.subarray(0, prefix.length).equals(prefix)).toBe(true);
    expect(JSON.parse(itxt[0]!.data.subarray(prefix.length).toString('utf8'))).toEqual(c.credential);
    const x = extractBaked(bytes);
    expect(x.ok && JSON.parse(x.text)).toEqual(c.credential);
    // the image itself to the verify API
    const v = await verifyImage(bytes, 'image/png');
    expect(v.status).toBe(200);
    expect(v.body.verified, JSON.stringify(v.body.checks)).toBe(true);
    // one letter of the learner's name changed inside the image: the proof fails
    const tampered = png(
      chunks(bytes).map((ch) =>
        ch.type === 'iTXt' ? { type: 'iTXt', data: Buffer.from(ch.data.toString('utf8').replace('Ana Contreras', 'Ana Contrerax'), 'utf8') } : ch,
      ),
    );
    const bad = await verifyImage(tampered, 'image/png');
    expect(bad.status).toBe(200);
    expect(bad.body.verified).toBe(false);
    expect(bad.body.checks.find((k) => k.id === 'proof')?.status).toBe('failed');
    // an image with no baked credential is refused with a reason
    const plain = png(chunks(bytes).filter((ch) => ch.type !== 'iTXt'));
    const none = await verifyImage(plain, 'image/png');
    expect(none.status).toBe(400);
    expect(JSON.stringify(none.body)).toContain('openbadgecredential');
  });

  it('serves the badge as an SVG with the credential in <openbadges:credential> (CDATA), which verifies when posted', async () => {
    const c = await issue(record.code, 'Pedro Soto');
    const r = await fetch(c.links.svg);
    expect(r.status).toBe(200);
    expect(r.headers.get('content-type')).toContain('image/svg+xml');
    expect(r.headers.get('content-disposition')).toMatch(/^attachment; filename="[a-z0-9]+(-[a-z0-9]+)*-insignia\.svg"$/);
    const svg = await r.text();
    expect(svg).toMatch(new RegExp(`^<svg [^>]*xmlns:openbadges="${OB3_BAKING_NAMESPACE.replace(/[./]/g, '\\$&')}"[^>]*><openbadges:credential><!\\[CDATA\\[\\{`));
    expect(svg.match(/<openbadges:credential>/g)).toHaveLength(1);
    expect(svg).toContain(record.title.es);
    const x = extractBaked(svg);
    expect(x.ok && JSON.parse(x.text)).toEqual(c.credential);
    const v = await verifyImage(svg, 'image/svg+xml');
    expect(v.body.verified, JSON.stringify(v.body.checks)).toBe(true);
    const bad = await verifyImage(svg.replace('Pedro Soto', 'Pedro Sotx'), 'image/svg+xml');
    expect(bad.body.verified).toBe(false);
  });

  it('keeps a hostile achievement name as text in the SVG (no markup, CDATA not closed early) and in the PDF', async () => {
    const c = await issue(hostileCode, 'Luis Rojas');
    const svg = await (await fetch(c.links.svg)).text();
    expect(svg).not.toContain('<script');
    // the drawn text has no bidirectional override (the baked credential keeps its text exactly, as JSON)
    expect(svg.replace(/<openbadges:credential>.*<\/openbadges:credential>/s, '')).not.toContain('\u202E');
    expect(svg).toContain('&#60;script&#62;alert(1)&#60;/script&#62;');
    // the credential's JSON inside the CDATA has no "]]>": the section ends once, at the element's end
    expect(svg.split(']]>')).toHaveLength(2);
    const x = extractBaked(svg);
    expect(x.ok && JSON.parse(x.text)).toEqual(c.credential);
    expect((await verifyImage(svg, 'image/svg+xml')).body.verified).toBe(true);
    const pdf = await readPdf(new Uint8Array(await (await fetch(`${c.links.pdf}?lang=es`)).arrayBuffer()));
    expect(pdf.text).toContain('Curso <script>alert(1)</script> ]]> & "comillas"');
  });

  it('answers the downloads of an unknown token with the claim link 404', async () => {
    for (const p of ['certificate.pdf', 'badge.png', 'badge.svg']) {
      const r = await fetch(`${n.url}/api/v1/claims/${'A'.repeat(43)}/${p}`);
      expect(r.status, p).toBe(404);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
  });
});
