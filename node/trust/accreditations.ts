/**
 * Accreditation by quality-assurance agencies: the rule of who may accredit (a member whose profile is of kind
 * qa-agency), the entry it publishes, and when an accreditation is in force. The HTTP admin route and
 * `mochila accredit` both call this. Must never read the replica's accreditations for a microcredential (the
 * recognition service gathers them) nor append anything else.
 */
import { RegistryError } from '../core/errors.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { Entry } from '../feed/entry.js';
import type { FeedService } from '../feed/feed.service.js';
import type { InstitutionDirectory } from './institutions.js';
import type { MembershipService } from './membership.js';

export interface AccreditationBody {
  accreditationId: string;
  subject: { type: 'institution' | 'microcredential'; id: string };
  status: 'accredited' | 'conditional' | 'withdrawn';
  validFrom: string;
  validUntil?: string;
  standard?: string;
  decision?: { es?: string; en?: string; pt?: string };
  reportUrl?: string;
}

/** In force on `day` (YYYY-MM-DD): not withdrawn, started, not expired. */
export function accreditationInForce(a: { status: string; validFrom: string; validUntil?: string | undefined }, day: string): boolean {
  return a.status !== 'withdrawn' && a.validFrom <= day && (!a.validUntil || a.validUntil >= day);
}

export class AccreditationService {
  constructor(
    private readonly d: {
      feed: Pick<FeedService, 'author' | 'append'>;
      membership: Pick<MembershipService, 'isMember'>;
      institutions: Pick<InstitutionDirectory, 'get'>;
      schemas: Pick<SchemaRegistry, 'assertValid'>;
    },
  ) {}

  /** Publishes an accreditation (or its withdrawal): only a quality-assurance agency that is a member of the network. */
  publish(input: unknown): Entry<AccreditationBody> {
    const self = this.d.feed.author;
    if (this.d.institutions.get(self)?.profile.kind !== 'qa-agency')
      throw new RegistryError('forbidden', 'only quality-assurance agencies (profile kind qa-agency) publish accreditations');
    this.d.schemas.assertValid('entries/accreditation', input, 'accreditation');
    if (!this.d.membership.isMember(self)) throw new RegistryError('not_a_member', 'this agency is not a member of the network');
    return this.d.feed.append('accreditation', input as AccreditationBody);
  }
}
