/**
 * Recognition benchmark. (1) Quality on the labelled set (fixtures/recognition-eval/): each labelled query ranks the
 * local unit's catalogue against a foreign microcredential with the node's comparison, and the answers are scored
 * (top-1, top-3, the "no counterpart" answer, separation, bands against labels). (2) Speed: a node whose own
 * catalogue holds 10,000 generated microcredentials (1,000 in quick mode) plus the demo units' catalogues answers
 * `recognition.lookup` for foreign microcredentials; p50/p95 of the lookup after the first one. Quality figures do not
 * depend on quick mode. Targets (issue 20): top-1 ≥ 90 %, top-3 ≥ 97 %, separation ≥ 95 %, wrong "no counterpart"
 * < 5 %, lookup p95 < 50 ms.
 */
import '../../node/core/compat.js';
import { rmSync } from 'node:fs';
import { generateKey, type Ed25519Key } from '../../node/identity/keys.js';
import { benchServices, feedWriter } from './nodes.js';
import { signEntry } from '../../node/feed/entry.js';
import { createManifest, networkId } from '../../node/trust/manifest.js';
import { CreditSystems } from '../../node/catalogue/credit-systems.js';
import { BANDS, rankCandidates } from '../../node/recognition/comparison.js';
import { analyse, CorpusStats, similarity, weighRecord } from '../../node/recognition/similarity.js';
import { generateRecords } from './gen-catalogue.js';
import { hasFlag, round, saveResult } from './lib.js';
import { evaluate, loadEvalSet, localCatalogue, type EvalSet, type RankedAnswer, type EvalQuery } from './recognition-eval.js';

/**
 * The node's ranking on each labelled query: the comparison module with every evaluation record as the replica (the
 * document frequencies, computed once). The answer offers only candidates in a band; the scores of every local record
 * are kept for separation.
 */
function answerer(set: EvalSet, credits: CreditSystems): (q: EvalQuery) => RankedAnswer {
  const analysis = new Map(set.records.map((r) => [r.key, analyse(r.record)]));
  const stats = new CorpusStats([...analysis.values()].map((a) => a.terms));
  const side = new Map(set.records.map((r) => [r.key, { id: r.key, record: r.record, weighted: weighRecord(analysis.get(r.key)!, stats) }]));
  return (q) => {
    const f = side.get(q.foreign)!;
    const locals = localCatalogue(set, q).map((l) => side.get(l.key)!);
    const ranked = rankCandidates(f, locals, credits, { limit: locals.length });
    return {
      candidates: ranked.candidates.map((c) => ({ key: c.candidate.id, score: c.score, band: c.band ?? 'below' })),
      noCounterpart: ranked.noCounterpart,
      scores: new Map(locals.map((l) => [l.id, similarity(f.weighted, l.weighted).score])),
    };
  };
}

export function runQuality() {
  const set = loadEvalSet();
  const credits = new CreditSystems();
  const t0 = performance.now();
  const m = evaluate(set, answerer(set, credits));
  return { ...m, bandThresholds: BANDS, evalMs: round(performance.now() - t0, 1), addedRecords: set.records.filter((r) => r.addedForEvaluation).length };
}

export async function runLookupSpeed(opts: { localEntries: number; lookups: number }) {
  const self = generateKey();
  const foreignUnits = ['mx-uan', 'cl-uac', 'gt-usm'];
  const others = foreignUnits.map(() => generateKey());
  const manifest = createManifest({ name: 'bench recognition', founders: [self.did, ...others.map((k) => k.did)], endorsements: 2 });
  const net = networkId(manifest);
  const { s, dir } = benchServices(self, manifest, 'recognition');
  const set = loadEvalSet();
  const feedOf = (k: Ed25519Key, profile: unknown, records: unknown[], country: string) => {
    const { entries, push } = feedWriter(k, net);
    push('profile', profile);
    for (const r of records) push('microcredential', { op: 'put', microcredential: { ...(r as object), awardingBody: { name: 'Bench' }, country } });
    for (let j = 0; j < entries.length; j += 1000) {
      const res = s.feed.ingestBatch(k.did, entries.slice(j, j + 1000));
      if (res.rejected.length) throw new Error(JSON.stringify(res.rejected[0]));
    }
  };
  // the local catalogue: generated records plus one demo unit's, so lookups have real counterparts among noise
  const own = [...generateRecords(opts.localEntries, 7, 'loc'), ...set.records.filter((r) => r.unit === 'gt-usm' && !r.addedForEvaluation).map((r) => r.record)];
  feedOf(self, { name: { es: 'Universidad local' }, shortName: 'UL', country: 'GT', kind: 'hei' }, own, 'GT');
  foreignUnits.forEach((u, i) => feedOf(others[i]!, { name: { es: `Unidad ${u}` }, shortName: u, country: u.slice(0, 2).toUpperCase(), kind: 'hei' }, set.records.filter((r) => r.unit === u && r.unit !== 'gt-usm').map((r) => r.record), u.slice(0, 2).toUpperCase()));
  const foreignIds = others.flatMap((k) => s.catalogue.byInstitution(k.did).map((m) => m.id));
  const tFirst = performance.now();
  s.recognition.lookup(foreignIds[0]!);
  const firstMs = performance.now() - tFirst;
  const times: number[] = [];
  // at most `lookups`, but stop after 60 s (and at least 20 lookups) when each takes seconds
  const deadline = performance.now() + 60_000;
  for (let i = 0; i < opts.lookups && (i < 20 || performance.now() < deadline); i++) {
    const id = foreignIds[i % foreignIds.length]!;
    const t = performance.now();
    const r = s.recognition.lookup(id);
    times.push(performance.now() - t);
    if (!r) throw new Error(`lookup ${id} found nothing`);
  }
  // one catalogue change (another institution's new record arrives), then a lookup: only the new record is analysed,
  // but document frequencies and every weighted vector are recomputed
  const extra = generateRecords(1, 99, 'late')[0]!;
  const k = others[0]!;
  const head = s.feed.head(k.did)!;
  const late = signEntry(k, { v: 2, net, author: k.did, seq: head.seq + 1, prev: head.id, ts: new Date().toISOString(), type: 'microcredential', body: { op: 'put', microcredential: { ...extra, awardingBody: { name: 'Bench' }, country: 'MX' } } });
  const ing = s.feed.ingestBatch(k.did, [late]);
  if (ing.rejected.length) throw new Error(JSON.stringify(ing.rejected[0]));
  const tChange = performance.now();
  s.recognition.lookup(foreignIds[0]!);
  const afterChangeMs = performance.now() - tChange;
  s.store.close();
  rmSync(dir, { recursive: true, force: true });
  times.sort((a, b) => a - b);
  const q = (p: number) => round(times[Math.min(times.length - 1, Math.floor(p * times.length))]!, 1);
  return { localEntries: own.length, foreignMicrocredentials: foreignIds.length, lookups: times.length, firstMs: round(firstMs, 1), afterChangeMs: round(afterChangeMs, 1), p50: q(0.5), p95: q(0.95), max: round(times[times.length - 1]!, 1) };
}

if (import.meta.url === `file://${process.argv[1]}`) {
  const quick = hasFlag('quick');
  const quality = runQuality();
  console.error(
    `recognition quality: top-1 ${quality.top1}, top-3 ${quality.top3}, separation ${quality.separation.share}, no-counterpart precision ${quality.noCounterpart.precision} recall ${quality.noCounterpart.recall}, wrong none ${quality.noCounterpart.wrongRate}`,
  );
  for (const f of quality.failures) console.error(`  ${f.query}: ${f.problem}`);
  const speed = hasFlag("no-speed") ? null : await runLookupSpeed({ localEntries: quick ? 1_000 : 10_000, lookups: quick ? 60 : 200 });
  if (speed) console.error(`recognition lookup, ${speed.localEntries} local entries: p50 ${speed.p50} ms, p95 ${speed.p95} ms (first ${speed.firstMs} ms, after a catalogue change ${speed.afterChangeMs} ms)`);
  const r = { quality, speed, targets: { top1: 0.9, top3: 0.97, separation: 0.95, wrongNoCounterpart: 0.05, lookupP95Ms: 50 } };
  console.log(JSON.stringify(r, null, 2));
  saveResult(quick ? 'recognition-quick' : 'recognition', r);
}
