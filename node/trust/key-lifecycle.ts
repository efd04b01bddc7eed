/**
 * Ending an issuer key: rotation, and declaring a key compromised. The rule that no status list stays signed only by
 * a compromised key lives here: a compromise (declared with a rotation or later) re-signs the lists with the key
 * that should sign them. The HTTP admin routes and `mochila keys rotate|compromise` both call this. Must never sign
 * or publish anything itself: the institution service publishes the key entries, the credential service the lists.
 */
import type { InstitutionService } from './institution.service.js';

export interface StatusListResigner {
  /** Re-signs every status list whose signing key should change; the ids of the lists re-signed. */
  resignStatusLists(): Promise<string[]>;
}

export class IssuerKeyLifecycle {
  constructor(
    private readonly d: {
      institution: Pick<InstitutionService, 'rotateIssuerKey' | 'declareCompromised'>;
      statusLists: StatusListResigner;
    },
  ) {}

  /** A new issuer key; with `compromisedSince` the old one is compromised from then and its lists are re-signed. */
  async rotate(opts: { compromisedSince?: Date; note?: string } = {}): Promise<{ newKeyId: string; oldKeyId: string; resignedLists: string[] }> {
    const out = this.d.institution.rotateIssuerKey(opts);
    const resignedLists = opts.compromisedSince ? await this.d.statusLists.resignStatusLists() : [];
    return { ...out, resignedLists };
  }

  /** An earlier key compromised from `since`: it never signs again and its lists are re-signed with the current key. */
  async declareCompromised(keyId: string, since: Date, note?: string): Promise<{ keyId: string; compromisedSince: string; resignedLists: string[] }> {
    const out = this.d.institution.declareCompromised(keyId, since, note);
    return { ...out, resignedLists: await this.d.statusLists.resignStatusLists() };
  }
}
