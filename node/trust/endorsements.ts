/**
 * Endorsing an institution for admission to the network: the rule of who may endorse whom, and the endorsement entry
 * it publishes. The HTTP admin route and `mochila endorse` both call this. Must never count endorsements (the
 * membership projection does) nor append anything else.
 */
import { userError } from '../core/messages/index.js';
import type { SchemaRegistry } from '../core/schema-registry.js';
import type { Entry } from '../feed/entry.js';
import type { FeedService } from '../feed/feed.service.js';
import type { MembershipService, MemberStatus } from './membership.js';

export interface EndorsementBody {
  subject: string;
  statement?: string;
  withdrawn?: boolean;
}

export class EndorsementService {
  constructor(
    private readonly d: {
      feed: Pick<FeedService, 'author' | 'append'>;
      membership: Pick<MembershipService, 'isMember' | 'statusOf'>;
      schemas: Pick<SchemaRegistry, 'assertValid'>;
    },
  ) {}

  /**
   * Publishes an endorsement (or its withdrawal) of `subject` by this node. Only a member endorses (a non-member's
   * endorsement would not count), and never itself.
   */
  endorse(input: unknown): { entry: Entry<EndorsementBody>; subjectStatus: MemberStatus } {
    this.d.schemas.assertValid('entries/endorsement', input ?? {}, 'endorsement');
    const body = input as EndorsementBody;
    const self = this.d.feed.author;
    if (!this.d.membership.isMember(self))
      throw userError('not_a_member', 'endorsement.notMember');
    if (body.subject === self) throw userError('validation_failed', 'endorsement.self');
    const entry = this.d.feed.append('endorsement', body);
    return { entry, subjectStatus: this.d.membership.statusOf(body.subject) };
  }
}
