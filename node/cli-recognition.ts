/**
 * `mochila recognize`, `mochila decide`, `mochila agreements` and `mochila accredit`: the registrar's lookup in the
 * terminal and the recognition entries from the command line. Must never hold domain logic (the recognition
 * service decides nothing either: it compares and records).
 */
import type { Command } from 'commander';
import { readFileSync, writeFileSync } from 'node:fs';
import { buildServices, type Services } from './context.js';
import { loadConfig } from './config.js';
import { silentLogger } from './core/logger.js';
import { langText } from './core/lang-text.js';
import { RegistryError } from './core/errors.js';
import { lookupAnswer, registrarLookup, type LookupVerifier } from './recognition/registrar-lookup.js';
import { referenceLabels, renderRecognitionReport } from './recognition/report.js';
import { loadReferenceData } from './catalogue/reference-data.js';

type LangMap = { es?: string; en?: string; pt?: string };
// a record's text in the terminal's language, es → en → pt; a blank text counts as absent (node/core/lang-text.ts)
const lm = (m: LangMap | undefined, lang: 'es' | 'en') => langText(m, lang);

function open(dir: string): Services {
  return buildServices(loadConfig(dir), { logger: silentLogger });
}

export interface RecognizeVerifier {
  verifyForLookup(s: Services, credential: unknown): ReturnType<LookupVerifier['verify']>;
}

export function registerRecognitionCommands(program: Command, verifier: RecognizeVerifier | null): void {
  program
    .command('recognize')
    .description("the registrar's lookup: verification, catalogue entry, accreditations, decisions network-wide, agreements and the comparison with this unit's catalogue")
    .requiredOption('--dir <dir>', 'data folder of this (the receiving) node')
    .argument('[file]', 'a credential or presentation (JSON)')
    .option('--microcredential <id>', 'look up a microcredential by id instead of a credential (with a credential file, the credential\'s own microcredential is used)')
    .option('--lang <lang>', 'es or en', 'es')
    .option('--json', 'print the lookup as JSON')
    .option('--html <file>', 'also write the printable report (HTML) to this file')
    .action(async (file: string | undefined, o) => {
      const lang = o.lang === 'en' ? 'en' : 'es';
      const s = open(o.dir);
      try {
        let credential: unknown;
        if (file) {
          try {
            credential = JSON.parse(readFileSync(file, 'utf8'));
          } catch (e) {
            throw new RegistryError('validation_failed', `${file} is not JSON: ${(e as Error).message}`);
          }
        } else if (!o.microcredential) throw new RegistryError('validation_failed', 'give a credential file or --microcredential ID');
        // the same flow and rule as the HTTP lookup (recognition/registrar-lookup.ts): the credential's own microcredential wins
        const lookupVerifier: LookupVerifier | null = verifier ? { verify: (input) => verifier.verifyForLookup(s, input) } : null;
        const result = await registrarLookup({ recognition: s.recognition, verifier: lookupVerifier }, file ? { credential } : { microcredential: o.microcredential });
        const { verification, microcredentialId: id, found } = result;
        if (file && o.microcredential && o.microcredential !== id)
          console.error(lang === 'es' ? `--microcredential ${o.microcredential} no se usa: se consulta la microcredencial que nombra la credencial.` : `--microcredential ${o.microcredential} is not used: the microcredential the credential names is looked up.`);
        const data = lookupAnswer(result);
        if (o.html) writeFileSync(o.html, renderRecognitionReport(data, { lang, generatedAt: new Date(), node: s.feed.author, network: s.network, labels: referenceLabels(loadReferenceData()) }));
        if (o.json) {
          console.log(JSON.stringify(data, null, 2));
          return;
        }
        const out: string[] = [];
        if (verification) {
          out.push(`${lang === 'es' ? 'Verificación' : 'Verification'}: ${verification.verified ? (lang === 'es' ? 'VERIFICADA' : 'VERIFIED') : lang === 'es' ? 'NO VERIFICADA' : 'NOT VERIFIED'}`);
          for (const c of verification.checks ?? []) out.push(`  [${c.status.padEnd(9)}] ${c.id}: ${c.reason}`);
        }
        if (!found) out.push(lang === 'es' ? `La microcredencial ${id ?? ''} no está en la réplica de este nodo.` : `Microcredential ${id ?? ''} is not in this node's replica.`);
        else {
          const mc = found.microcredential;
          out.push('', `${lm(mc.title, lang)}  (${mc.id}, v${mc.version})`);
          out.push(`  ${lm(found.institution.name as LangMap, lang)} · ${found.institution.country} · ${found.institution.member ? (lang === 'es' ? 'miembro' : 'member') : lang === 'es' ? 'NO miembro' : 'NOT a member'}`);
          out.push(`  ${mc.workload.hours} h · ${mc.workload.credits.value} ${mc.workload.credits.system} · ${mc.level.framework} ${mc.level.value} · ISCED-F ${mc.fieldOfStudy.iscedF} · ${mc.participation.mode} · ${mc.assessment.type} · QA ${mc.qualityAssurance.type}`);
          for (const [i, lo] of mc.learningOutcomes.entries()) out.push(`  ${i + 1}. ${lm(lo.text, lang)}`);
          out.push('', `${lang === 'es' ? 'Acreditaciones' : 'Accreditations'}: ${found.accreditations.filter((a) => a.inForce).length || '—'}`);
          // each one: agency, subject, until when, in force or history (withdrawn on / expired)
          for (const a of found.accreditations)
            out.push(
              `  ${a.inForce ? '' : lang === 'es' ? '(historial) ' : '(history) '}${lm(a.agency.name as LangMap, lang)} · ${a.viaProgramme ? `${lang === 'es' ? 'programa' : 'programme'} ${lm(a.viaProgramme.title as LangMap, lang)}` : a.subject.type} · ${a.status}${a.withdrawnOn ? ` ${a.withdrawnOn}` : ''} · ${a.validFrom}${a.validUntil ? ` – ${a.validUntil}` : ''}${a.standards?.length ? ` · ${a.standards.map((st) => st.id).join(', ')}` : ''}${a.reportUrl ? ` · ${a.reportUrl}` : ''}`,
            );
          out.push(`${lang === 'es' ? 'Decisiones en la red' : 'Decisions in the network'}: ${found.decisions.length || '—'}`);
          for (const d of found.decisions) out.push(`  ${d.publishedAt.slice(0, 10)} ${lm(d.institution.name as LangMap, lang)}: ${d.outcome}${d.credits ? ` ${d.credits.value} ${d.credits.system}` : ''} [${d.status}] — ${lm(d.reasons, lang)}`);
          out.push(`${lang === 'es' ? 'Convenios' : 'Agreements'}: ${found.agreements.map((a) => `${lm(a.terms.title, lang)} [${a.status}]`).join('; ') || '—'}`);
          out.push('', lang === 'es' ? 'Comparación con el catálogo local (sugerencia):' : 'Comparison with the local catalogue (suggestion):');
          const sum = found.comparisonSummary;
          if (sum.noCounterpart)
            out.push(
              `  ${lang === 'es' ? 'No hay ninguna microcredencial local comparable' : 'No comparable local microcredential'}${sum.closestBelowBands ? ` (${lang === 'es' ? 'la más cercana' : 'closest'}: ${lm(sum.closestBelowBands.title, lang)}, ${Math.round(sum.closestBelowBands.score * 100)}%)` : ''}`,
            );
          for (const c of found.comparison.slice(0, 5)) {
            if (c.precedent) out.push(`  * ${lang === 'es' ? 'precedente' : 'precedent'} ${c.precedent.decisionId} (${c.precedent.outcome})`);
            out.push(
              `  ${Math.round(c.score * 100)}% [${c.band ?? '-'}]  ${lm(c.candidate.title, lang)} (${c.candidate.code}) — ${c.scoreParts.map((p) => `${p.part} ${Math.round(p.value * 100)}%×${p.weight}`).join(' + ')}; ${c.workload.foreignHours} h / ${c.workload.localHours} h, ISCED-F ${c.field.match}`,
            );
            for (const f of c.flags.filter((x) => x.severity !== 'info')) out.push(`        ! ${lm(f.message, lang)}`);
          }
        }
        console.log(out.join('\n'));
        if (verification && !verification.verified) process.exitCode = 1;
      } finally {
        s.store.close();
      }
    });

  program
    .command('decide')
    .description('record a recognition decision from a JSON file (the body of POST /api/v1/admin/recognitions)')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .argument('<file>', 'decision JSON')
    .action((file: string, o) => {
      const s = open(o.dir);
      try {
        const d = s.recognition.recordDecision(JSON.parse(readFileSync(file, 'utf8')));
        console.log(`recorded decision ${d.decisionId} (${d.outcome}) about ${d.microcredential.id}`);
      } finally {
        s.store.close();
      }
    });

  program
    .command('accredit')
    .description('publish an accreditation from a JSON file (quality-assurance agencies only)')
    .requiredOption('--dir <dir>', 'data folder of the agency node')
    .argument('<file>', 'accreditation JSON (schemas/entries/accreditation.schema.json)')
    .action((file: string, o) => {
      const s = open(o.dir);
      try {
        const e = s.accreditations.publish(JSON.parse(readFileSync(file, 'utf8')));
        console.log(`published accreditation ${e.body.accreditationId} (entry ${e.id})`);
      } finally {
        s.store.close();
      }
    });
}
