/**
 * Reason categories of revocations and suspensions, as the network carries them: a closed list
 * (schemas/status-reason.schema.json, the single source) and the companion list that replicates them. A status list
 * `r1` whose revoked (or suspended) indices have a category is followed in its author's feed by a companion
 * `status-list` entry `r1-c` (`<list>-c`, the same purpose and author): a bitstring of CATEGORY_BITS bits per index of
 * `r1`, the big-endian value at `index * CATEGORY_BITS` being the category's wire code (its position in the schema's
 * enum plus one; 0 = none). It is an ordinary `status-list` body, so nodes of the previous release accept it (their
 * schema refuses any new property or entry type) and see one more list that no credential points to.
 * The free-text reason never leaves the issuing node; this module must never carry or read it, and a companion is
 * read only within bounds derived from its list (a hostile one yields no category, never an error or a big decode).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { SCHEMAS_DIR } from '../core/schema-registry.js';
import { decodeStatusList, DEFAULT_MAX_BITS, type StatusBits } from './status-list.js';

export type ReasonCategory = 'issued-in-error' | 'superseded' | 'learner-request' | 'assessment-annulled' | 'other';

const reasonSchema = JSON.parse(readFileSync(path.join(SCHEMAS_DIR, 'status-reason.schema.json'), 'utf8')) as {
  enum: string[];
  $defs: { chosen: { enum: string[] } };
};

/** The categories in wire order (code = position + 1). */
export const REASON_CATEGORIES = reasonSchema.enum as readonly ReasonCategory[];
/** The categories an administrator may choose ('superseded' is re-issuance's). */
export const CHOSEN_REASON_CATEGORIES = reasonSchema.$defs.chosen.enum as readonly ReasonCategory[];

/** Bits per index in a companion list: room for 15 categories. */
export const CATEGORY_BITS = 4;

export function isReasonCategory(v: unknown): v is ReasonCategory {
  return typeof v === 'string' && (REASON_CATEGORIES as readonly string[]).includes(v);
}

export function reasonCode(c: ReasonCategory): number {
  return REASON_CATEGORIES.indexOf(c) + 1;
}

/** The local id of the companion of list `listId` (`r1` → `r1-c`); network-wide `<local>-c.<tag>` (see categoryListGlobalId). */
export function categoryListId(listId: string): string {
  return `${listId}-c`;
}

/** The network-wide id of the companion of the network-wide list `<local>.<tag>`. */
export function categoryListGlobalId(globalId: string): string {
  const dot = globalId.lastIndexOf('.');
  return dot < 0 ? `${globalId}-c` : `${globalId.slice(0, dot)}-c${globalId.slice(dot)}`;
}

/** Whether a local list id names a companion (never a list of credentials). */
export function isCategoryListId(listId: string): boolean {
  return listId.endsWith('-c');
}

/** Writes category codes per index into a zeroed bit array of `indices * CATEGORY_BITS` bits. */
export function encodeCategories(
  bits: { set(i: number, v?: boolean): void; length: number },
  entries: Iterable<{ index: number; category: ReasonCategory }>,
): void {
  for (const { index, category } of entries) {
    const code = reasonCode(category);
    const at = index * CATEGORY_BITS;
    if (code < 1 || at + CATEGORY_BITS > bits.length) continue;
    for (let b = 0; b < CATEGORY_BITS; b++) bits.set(at + b, ((code >> (CATEGORY_BITS - 1 - b)) & 1) === 1);
  }
}

/** The category at `index` of a decoded companion, or null (none, out of range, or a code this node does not know). */
export function categoryAt(bits: StatusBits, index: number): ReasonCategory | null {
  const at = index * CATEGORY_BITS;
  if (!Number.isSafeInteger(at) || at < 0 || at + CATEGORY_BITS > bits.length) return null;
  let code = 0;
  for (let b = 0; b < CATEGORY_BITS; b++) code = (code << 1) | (bits.get(at + b) ? 1 : 0);
  return code >= 1 && code <= REASON_CATEGORIES.length ? REASON_CATEGORIES[code - 1]! : null;
}

/**
 * Decodes a companion of a list of `listBits` indices, never past CATEGORY_BITS bits per index (nor the decoder's
 * global bound); null when it cannot be read within them (a hostile or broken companion shows no category).
 */
export function decodeCategories(encodedList: string, listBits: number): StatusBits | null {
  try {
    return decodeStatusList(encodedList, { maxBits: Math.min(listBits * CATEGORY_BITS, DEFAULT_MAX_BITS) });
  } catch {
    return null;
  }
}
