/**
 * Copies every feed one in-memory node holds into another through the same verified ingest path federation uses
 * (`ingestBatch`). For unit tests of features that span institutions without starting libp2p.
 */
import type { Services } from '../../node/context.js';

export function replicate(from: Services, to: Services): number {
  let n = 0;
  for (const h of from.feed.heads()) {
    const have = to.feed.head(h.author)?.seq ?? 0;
    if (have >= h.seq) continue;
    const r = to.feed.ingestBatch(h.author, from.feed.read(h.author, have + 1, 10_000));
    if (r.rejected.length) throw new Error(`replication rejected: ${JSON.stringify(r.rejected.slice(0, 3))}`);
    n += r.accepted;
  }
  return n;
}
