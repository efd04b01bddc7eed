/**
 * Credit-system arithmetic on the reference table: hours ↔ credits as ranges (e.g. 120 h = 4.0–4.8 ECTS), never a
 * single factor. Reads the live set through a provider (a node passes its ReferenceRegistry: the bundled floor plus
 * the systems published on the network), so a system published on the network is known without a code change.
 * Must never hold conversion factors itself (they are data in schemas/reference or in `reference` entries).
 */
import { userError } from '../core/messages/index.js';
import { loadReferenceData, type CreditSystem, type ReferenceData, type ReferenceSourceProvider } from './reference-data.js';

export class CreditSystems {
  private readonly source: ReferenceSourceProvider;
  private seen: ReferenceData | null = null;
  private index = new Map<string, CreditSystem>();

  /** `data`: a fixed set (tests, the evaluation), or a provider of the live set (a node). */
  constructor(data: ReferenceData | ReferenceSourceProvider = loadReferenceData()) {
    this.source = typeof data === 'function' ? data : () => data;
  }

  /** The reference data read now (the provider's current set). */
  reference(): ReferenceData {
    return this.source();
  }

  /** Systems by id, re-indexed when the provider hands over another set. */
  private get byId(): Map<string, CreditSystem> {
    const data = this.source();
    if (data !== this.seen) {
      this.seen = data;
      this.index = new Map(data.creditSystems.systems.map((s) => [s.id, s]));
    }
    return this.index;
  }

  list(): CreditSystem[] {
    return [...this.byId.values()];
  }

  known(id: string): boolean {
    return this.byId.has(id);
  }

  get(id: string): CreditSystem {
    const s = this.byId.get(id);
    if (!s) throw userError('unknown_credit_system', 'catalogue.unknownCreditSystem', { system: String(id).slice(0, 100), known: [...this.byId.keys()].join(', ') });
    return s;
  }

  hoursPerCredit(id: string): { min: number; max: number } | null {
    return this.byId.get(id)?.hoursPerCredit ?? null;
  }

  label(id: string): string {
    return this.byId.get(id)?.id ?? id;
  }

  /** Credits a number of hours is worth in a system, as a range (fewer credits when a credit is more hours). */
  hoursToCredits(hours: number, id: string): { system: string; min: number; max: number } {
    const r = this.get(id).hoursPerCredit;
    return { system: id, min: round1(hours / r.max), max: round1(hours / r.min) };
  }

  creditsToHours(credits: number, id: string): { system: string; min: number; max: number } {
    const r = this.get(id).hoursPerCredit;
    return { system: id, min: round1(credits * r.min), max: round1(credits * r.max) };
  }

  /** Whether declared credits are consistent with declared hours (within the system's range, 10 % tolerance). */
  consistent(hours: number, credits: number, id: string): boolean {
    const r = this.hoursToCredits(hours, id);
    return credits >= r.min * 0.9 && credits <= r.max * 1.1;
  }

  /** The workload in every known system, for showing side by side. */
  sideBySide(hours: number): { system: string; min: number; max: number }[] {
    return this.list().map((s) => this.hoursToCredits(hours, s.id));
  }
}

function round1(n: number): number {
  return Math.round(n * 10) / 10;
}
