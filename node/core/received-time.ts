/**
 * The time a replicated entry is listed under: an entry's `ts` is its author's word (any string Date.parse reads, of
 * at most 40 characters), and lists ordered newest first (the catalogue, recognition decisions, accreditations,
 * agreements) must not let a member date its entries in year 9999, or as 'Wed, …' (which sorts above every ISO time),
 * to keep them first for good. A time more than CLOCK_SKEW_MS after the node's clock is the clock's time; another
 * format is normalized to ISO 8601. Projection only: never used to accept or refuse an entry (the acceptance rule is
 * the same on every node, and this depends on the node's clock). Must never read anything but its arguments.
 */

const ISO_UTC = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,3})?Z$/;

/** How far ahead of this node's clock an honest node's clock may run: a time within it is kept as given. */
export const CLOCK_SKEW_MS = 10 * 60_000;

/**
 * An entry's claimed time as a row may order by: as given when it is an ISO UTC time not more than CLOCK_SKEW_MS
 * after `now`; a later (or unreadable) one is `now`; another format is normalized to ISO.
 */
export function receivedTs(claimed: string, now: Date): string {
  const t = Date.parse(claimed);
  if (!(t <= now.getTime() + CLOCK_SKEW_MS)) return now.toISOString();
  return ISO_UTC.test(claimed) ? claimed : new Date(t).toISOString();
}
