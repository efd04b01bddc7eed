/**
 * The replica as replication sees it, with every entry it refuses counted by reason code through the narrow Metrics
 * interface (node/core/metrics.ts). Lives in the feed tier because it wraps the feed's replica contract (core may
 * not import the feed). Must never change what an ingest decides or returns: it only counts.
 */
import type { Metrics } from '../core/metrics.js';
import type { FeedReplica, IngestResult } from './replica.js';

const INGEST_METHODS = new Set<PropertyKey>(['ingestBatch', 'ingestChecked', 'ingestOne', 'ingestCheckedInSlices']);

/**
 * The replica as replication sees it, with every refused entry of every ingest (sync batches and gossip) counted by
 * its reason code. Same object otherwise: every other property is the replica's own.
 */
export function countingReplica<R extends FeedReplica>(replica: R, metrics: Pick<Metrics, 'entriesRejected'>): R {
  const count = (r: IngestResult): IngestResult => {
    const byCode = new Map<string, number>();
    for (const x of r.rejected) byCode.set(x.code, (byCode.get(x.code) ?? 0) + 1);
    for (const [code, n] of byCode) metrics.entriesRejected(code, n);
    return r;
  };
  return new Proxy(replica, {
    get(target, prop) {
      const v: unknown = Reflect.get(target, prop, target);
      if (typeof v !== 'function') return v;
      const fn = (v as (...a: unknown[]) => unknown).bind(target);
      if (!INGEST_METHODS.has(prop)) return fn;
      return (...args: unknown[]) => {
        const out = fn(...args);
        return out instanceof Promise ? out.then((r) => count(r as IngestResult)) : count(out as IngestResult);
      };
    },
  });
}
