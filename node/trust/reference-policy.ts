/**
 * Who may publish reference data (`reference` entries: credit systems, qualifications frameworks, correspondence
 * tables): the members the network manifest names in `referencePublishers`. Wraps the membership rule as the feed's
 * AuthorPolicy, so an entry of that type from anyone else is refused at ingest, with its reason, on every path.
 * Must never decide anything but this rule (membership decides the rest).
 */
import type { ErrorCode } from '../core/errors.js';
import type { Entry } from '../feed/entry.js';
import type { AuthorPolicy } from '../feed/feed.service.js';
import type { Manifest } from './manifest.js';

export class ReferencePolicy implements AuthorPolicy {
  private readonly allowed: Set<string>;

  constructor(
    private readonly membership: AuthorPolicy,
    manifest: Pick<Manifest, 'referencePublishers'>,
  ) {
    this.allowed = new Set(manifest.referencePublishers ?? []);
  }

  mayPublish(did: string): boolean {
    return this.allowed.has(did);
  }

  publishers(): string[] {
    return [...this.allowed].sort();
  }

  check(entry: Pick<Entry, 'author' | 'type'>): { ok: true } | { ok: false; code: ErrorCode; reason: string } {
    const member = this.membership.check(entry);
    if (!member.ok || entry.type !== 'reference') return member;
    if (this.allowed.has(entry.author)) return { ok: true };
    return {
      ok: false,
      code: 'not_authorised',
      reason: `${entry.author} may not publish reference data: the network manifest's referencePublishers ${this.allowed.size ? `are ${this.publishers().join(', ')}` : 'name nobody'}`,
    };
  }
}
