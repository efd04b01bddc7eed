/**
 * The demo's programme (issue 15 item 2): in the unit whose fixture catalogue has a programme (a record with
 * `stackability.stacksFrom`: the seed's INQAAHE/REALCUP training programme), the learners of
 * fixtures/learners/programme-<slug>.csv receive their module credentials (the `modulos` column: which modules, by
 * position; all when empty) and then the programme's badge, presented with those module credentials and carrying a
 * final portfolio (a PDF made here, stored by the node as evidence) and its assessment on the seed's four dimensions.
 * A learner missing a module is refused, as the node refuses it. Re-runs reuse what was issued (nothing twice).
 * Only the demo network (node/devnet.ts) uses it: must never run against a production node.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { PDFDocument, StandardFonts, rgb } from 'pdf-lib';
import { RegistryError } from './core/errors.js';
import type { MochilaNode } from './context.js';
import type { ResultRequest } from './credentials/ob3-evidence.js';

/** The seed's assessment dimensions of the final portfolio (its "EVALUACIÓN" section). */
export const PORTFOLIO_DIMENSIONS = ['Pensamiento crítico', 'Capacidad de desarrollo', 'Autorreflexión', 'Adecuación al contexto en que se sitúa la micro credencial'] as const;
/** The demo's rubric scale for each dimension, low to high (the seed names the dimensions, not a scale). */
export const PORTFOLIO_LEVELS = ['Inicial', 'En desarrollo', 'Logrado', 'Destacado'] as const;

export interface DemoProgrammeResult {
  programme: string;
  issued: { name: string; id: string; verifyUrl: string; claimUrl?: string }[];
  already: number;
  refused: { name: string; reason: string }[];
}

/** E-mail each learner their claim links (the demo's mailbox), as the demo's cohorts do. */
type Mail = { notify?: boolean; language?: 'es' | 'en' };

interface Row {
  name: string;
  email: string;
  modules: number[] | null;
  levels: string[];
}

/** The learners file: `nombre;correo;modulos;niveles` (modules by position, e.g. `1 2`; levels per dimension, `|`-separated). */
function readLearners(file: string): Row[] {
  const lines = readFileSync(file, 'utf8').replace(/^\uFEFF/, '').split(/\r?\n/).filter((l) => l.trim());
  return lines.slice(1).map((l) => {
    const [name = '', email = '', mods = '', levels = ''] = l.split(';').map((c) => c.trim());
    return {
      name,
      email,
      modules: mods ? mods.split(/\s+/).map(Number) : null,
      levels: levels ? levels.split('|').map((x) => x.trim()) : [],
    };
  });
}

/** A one-page portfolio summary (PDF), as a learner would hand it in; its bytes are the evidence file. */
export async function portfolioPdf(learner: string, programme: string, modules: string[]): Promise<Buffer> {
  const doc = await PDFDocument.create();
  doc.setTitle(`Portafolio final — ${learner}`);
  doc.setLanguage('es');
  const page = doc.addPage([595, 842]);
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  let y = 790;
  const line = (text: string, size = 11, f = font) => {
    page.drawText(text, { x: 56, y, size, font: f, color: rgb(0.1, 0.1, 0.1), maxWidth: 483, lineHeight: size + 4 });
    y -= size + 10 + Math.floor(f.widthOfTextAtSize(text, size) / 483) * (size + 4);
  };
  line('Portafolio final', 20, bold);
  line(programme, 12, bold);
  line(`Participante: ${learner}`);
  y -= 6;
  line('Producciones de los módulos', 13, bold);
  for (const m of modules) line(`• ${m}`);
  y -= 6;
  line('Dimensiones de la evaluación', 13, bold);
  for (const d of PORTFOLIO_DIMENSIONS) line(`• ${d}`);
  return Buffer.from(await doc.save({ useObjectStreams: false }));
}

/** The module credential a learner holds, issuing it when they do not yet. */
async function moduleCredential(node: MochilaNode, code: string, row: Row, mail: Mail): Promise<unknown> {
  try {
    return (await node.services.credentials.issue({ microcredential: code, learner: { name: row.name, email: row.email }, ...mail })).credential;
  } catch (e) {
    const existing = e instanceof RegistryError && e.code === 'conflict' ? (e.details as { existing?: unknown } | undefined)?.existing : undefined;
    if (typeof existing !== 'string') throw e;
    return node.services.credentials.get(existing)!.credential;
  }
}

/**
 * Issues the demo programme of the unit (node) to the learners of `file` (`mail`: e-mail them their claim links);
 * null when the unit's catalogue has no programme.
 */
export async function issueDemoProgramme(node: MochilaNode, file: string, mail: Mail = {}): Promise<DemoProgrammeResult | null> {
  const catalogue = node.services.catalogue;
  const programme = catalogue.byInstitution(catalogue.author).find((m) => m.record.stackability?.stacksFrom?.length);
  if (!programme) return null;
  const modules = programme.record.stackability!.stacksFrom!.map((m) => catalogue.get(m.id)).filter((m) => m !== null);
  const title = programme.record.title.es ?? programme.record.title.en ?? programme.record.code;
  const out: DemoProgrammeResult = { programme: programme.id, issued: [], already: 0, refused: [] };
  for (const row of readLearners(file)) {
    const mine = row.modules ? modules.filter((_, i) => row.modules!.includes(i + 1)) : modules;
    const presented: unknown[] = [];
    for (const m of mine) presented.push(await moduleCredential(node, m.record.code, row, mail));
    const pdf = await portfolioPdf(row.name, title, mine.map((m) => m.record.title.es ?? m.record.code));
    const results: ResultRequest[] = PORTFOLIO_DIMENSIONS.map((d, i) => ({
      criterion: d,
      levels: PORTFOLIO_LEVELS.map((name) => ({ name })),
      requiredLevel: 'Logrado',
      achievedLevel: row.levels[i] ?? 'Logrado',
    }));
    try {
      const c = await node.services.credentials.issue({
        microcredential: programme.id,
        learner: { name: row.name, email: row.email },
        modules: presented,
        evidence: [
          {
            name: 'Portafolio final',
            description: 'Portafolio digital con las producciones de los tres módulos (evaluación sumativa del programa).',
            genre: 'Portafolio',
            file: { name: 'portafolio-final.pdf', mediaType: 'application/pdf', content: pdf.toString('base64') },
          },
        ],
        results,
        ...mail,
      });
      out.issued.push({ name: row.name, id: c.id, verifyUrl: c.verifyUrl, ...(c.claimUrl ? { claimUrl: c.claimUrl } : {}) });
    } catch (e) {
      if (e instanceof RegistryError && e.code === 'conflict') out.already++;
      else if (e instanceof RegistryError && e.code === 'programme_modules_not_held') out.refused.push({ name: row.name, reason: e.message });
      else throw e;
    }
  }
  return out;
}

/** The learners file of a unit's demo programme, if the fixtures have one. */
export function demoProgrammeFile(fixturesDir: string, slug: string): string {
  return path.join(fixturesDir, 'learners', `programme-${slug}.csv`);
}
