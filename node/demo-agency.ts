/**
 * The demo's quality-assurance agency (fixtures/agencies/acap): its accreditations of demo pilots, read from
 * fixtures/agencies/acap/accreditations.json (subjects named by unit folder and code) and turned into entry bodies
 * with the units' DIDs and network-wide ids, then published by the agency's node through the accreditation rule
 * (node/trust/accreditations.ts), once: a re-run publishes nothing twice. Must never be used outside the demo and
 * its tests, and never publishes for units that were not started.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { microcredentialId } from './feed/ids.js';
import type { MochilaNode } from './context.js';
import type { AccreditationBody } from './trust/accreditations.js';

export const DEMO_AGENCY = 'acap';

interface FixtureAccreditation extends Omit<AccreditationBody, 'subject'> {
  subject: { type: AccreditationBody['subject']['type']; unit: string; code?: string };
  /** publish the withdrawal (same id, status withdrawn) after the accreditation */
  withdraw?: boolean;
}

export function demoAgencyDir(fixturesDir: string): string {
  return path.join(fixturesDir, 'agencies', DEMO_AGENCY);
}

/** The entry bodies to publish, in order (an accreditation, then its withdrawal), for the units given by folder. */
export function demoAccreditationBodies(fixturesDir: string, units: ReadonlyMap<string, string>): AccreditationBody[] {
  const file = JSON.parse(readFileSync(path.join(demoAgencyDir(fixturesDir), 'accreditations.json'), 'utf8')) as { accreditations: FixtureAccreditation[] };
  const out: AccreditationBody[] = [];
  for (const a of file.accreditations) {
    const did = units.get(a.subject.unit);
    if (!did) continue; // the unit was not started
    const { withdraw, subject, ...rest } = a;
    const body: AccreditationBody = { ...rest, subject: { type: subject.type, id: subject.type === 'institution' ? did : microcredentialId(did, subject.code ?? '') } };
    out.push(body);
    if (withdraw) out.push({ ...body, status: 'withdrawn' });
  }
  return out;
}

/** Publishes the bodies not yet in the agency's own feed (same id and status); returns how many it published. */
export function publishDemoAccreditations(agency: MochilaNode, bodies: readonly AccreditationBody[]): number {
  const s = agency.services;
  const head = s.feed.head(s.feed.author);
  const done = new Set<string>();
  for (let from = 1; head && from <= head.seq; from += 500)
    for (const e of s.feed.read(s.feed.author, from, 500))
      if (e.type === 'accreditation') done.add(`${(e.body as AccreditationBody).accreditationId}/${(e.body as AccreditationBody).status}`);
  let n = 0;
  for (const b of bodies) {
    if (done.has(`${b.accreditationId}/${b.status}`)) continue;
    s.accreditations.publish(b);
    n++;
  }
  return n;
}
