/**
 * Accreditation by quality-assurance agencies: the rule of who may accredit (a member whose profile is of kind
 * qa-agency), the entry it publishes, and when an accreditation is in force. The HTTP admin route and
 * `mochila accredit` both call this; AccreditationPolicy applies the same rule at ingest, so an accreditation
 * signed by a member that is not a qa-agency is refused by every node. Must never read the replica's accreditations
 * for a microcredential (the recognition service gathers them) nor append anything else.
 */
import { RegistryError } from '../core/errors.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import { userError, type MessageRef } from '../core/messages/index.js';
import type { ErrorCode } from '../core/errors.js';
import type { Entry } from '../feed/entry.js';
import type { AuthorPolicy, FeedService } from '../feed/feed.service.js';
import type { InstitutionDirectory } from './institutions.js';
import type { MembershipService } from './membership.js';

export interface AccreditationBody {
  accreditationId: string;
  subject: { type: 'institution' | 'programme' | 'microcredential'; id: string };
  status: 'accredited' | 'conditional' | 'withdrawn';
  validFrom: string;
  validUntil?: string;
  standard?: string;
  standards?: { id: string; name: { es?: string; en?: string; pt?: string }; url?: string }[];
  decision?: { es?: string; en?: string; pt?: string };
  reportUrl?: string;
}

/**
 * Who may accredit: a member whose profile (already in its feed, before the accreditation) is of kind qa-agency and,
 * when the network manifest names its agencies (`qaAgencies`), one of them. Without that list a member could publish
 * a profile saying qa-agency and accredit itself.
 */
export function mayAccredit(did: string, kindOf: (did: string) => string | undefined, agencies: readonly string[] | undefined): { ok: true } | { ok: false; reason: string } {
  const kind = kindOf(did);
  if (kind !== 'qa-agency') return { ok: false, reason: `${did} may not publish accreditations: its profile is of kind ${kind ?? '(none)'}, not qa-agency` };
  if (agencies && agencies.length > 0 && !agencies.includes(did))
    return { ok: false, reason: `${did} may not publish accreditations: the network manifest's qaAgencies do not name it` };
  return { ok: true };
}

/**
 * Wraps the feed's author policy: an `accreditation` entry is admitted only from a member that may accredit
 * (mayAccredit); every other entry type is left to the inner policy.
 */
export class AccreditationPolicy implements AuthorPolicy {
  constructor(
    private readonly inner: AuthorPolicy,
    private readonly kindOf: (did: string) => string | undefined,
    private readonly agencies?: readonly string[],
  ) {}

  check(entry: Pick<Entry, 'author' | 'type'>): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
    const first = this.inner.check(entry);
    if (!first.ok || entry.type !== 'accreditation') return first;
    const may = mayAccredit(entry.author, this.kindOf, this.agencies);
    return may.ok ? may : { ok: false, code: 'not_authorised', reason: may.reason };
  }
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
      /** The manifest's qaAgencies (absent: profile kind alone). */
      agencies?: readonly string[];
    },
  ) {}

  /** Publishes an accreditation (or its withdrawal): only a quality-assurance agency that is a member of the network. */
  publish(input: unknown): Entry<AccreditationBody> {
    const self = this.d.feed.author;
    const may = mayAccredit(self, (did) => this.d.institutions.get(did)?.profile.kind, this.d.agencies);
    if (!may.ok)
      throw new RegistryError('forbidden', `only quality-assurance agencies publish accreditations (profile kind qa-agency, named in the manifest's qaAgencies when it lists them): ${may.reason}`, {
        message: { key: 'accreditation.notAgency' } satisfies MessageRef,
      });
    this.d.schemas.assertValid('entries/accreditation', input, 'accreditation');
    if (!this.d.membership.isMember(self)) throw userError('not_a_member', 'accreditation.notMember');
    return this.d.feed.append('accreditation', input as AccreditationBody);
  }
}
