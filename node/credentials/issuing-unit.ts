/**
 * Who issues and where it is reached: this unit's institution DID (the author of its feed), the public base URL and
 * the URLs built on it (status lists, the verify page), and an institution's display name. Must never build a URL
 * from anything but the configured public URL and an encoded id.
 */
import type { Keystore } from '../identity/keystore.js';
import type { InstitutionRow } from '../trust/institutions.js';
import { primaryText } from './ob3.js';

export class IssuingUnit {
  constructor(private readonly d: { keystore: Keystore; publicUrl: () => string }) {}

  get author(): string {
    return this.d.keystore.institution.did;
  }

  base(): string {
    return this.d.publicUrl().replace(/\/$/, '');
  }

  statusListUrl(globalId: string): string {
    return `${this.base()}/api/v1/status-lists/${encodeURIComponent(globalId)}`;
  }

  verifyUrl(credentialId: string): string {
    return `${this.base()}/verify?credential=${encodeURIComponent(credentialId)}`;
  }
}

/** The institution's name as its profile gives it, or its DID when no profile has replicated yet. */
export function nameOf(inst: InstitutionRow | null, did: string): string {
  return (inst && primaryText(inst.profile.name)) ?? did;
}
