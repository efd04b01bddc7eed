/**
 * The network manifest: founding members and the admission rule. The network id is derived from the manifest's
 * canonical hash, so two networks never mix. Must never read files (the CLI and config do that).
 */
import { canonicalJson, sha256Hex } from '../core/canonical.js';
import type { SchemaRegistry } from '../core/schema-registry.js';

export interface Manifest {
  v: 1;
  name: string;
  founders: string[];
  admission: { endorsements: number };
  /** Members that may publish `reference` entries (credit systems, frameworks, correspondence tables). */
  referencePublishers?: string[];
  /**
   * Members that may publish accreditations (quality-assurance agencies). Absent: any member whose own profile says
   * kind qa-agency (a member could change its profile to accredit itself: networks name their agencies here).
   */
  qaAgencies?: string[];
  bootstrap?: string[];
  createdAt: string;
}

export function createManifest(opts: {
  name: string;
  founders: string[];
  endorsements?: number;
  referencePublishers?: string[];
  qaAgencies?: string[];
  bootstrap?: string[];
  createdAt?: Date;
}): Manifest {
  const m: Manifest = {
    v: 1,
    name: opts.name,
    founders: [...new Set(opts.founders)].sort(),
    admission: { endorsements: opts.endorsements ?? Math.min(2, Math.max(1, opts.founders.length)) },
    createdAt: (opts.createdAt ?? new Date()).toISOString(),
  };
  // absent when empty, so that a manifest without reference publishers hashes as it did before the field existed
  if (opts.referencePublishers && opts.referencePublishers.length > 0) m.referencePublishers = [...new Set(opts.referencePublishers)].sort();
  if (opts.qaAgencies && opts.qaAgencies.length > 0) m.qaAgencies = [...new Set(opts.qaAgencies)].sort();
  if (opts.bootstrap && opts.bootstrap.length > 0) m.bootstrap = opts.bootstrap;
  return m;
}

/** Hash of the manifest without its bootstrap list (addresses may change without changing the network). */
export function manifestHash(m: Manifest): string {
  const { bootstrap: _b, ...rest } = m;
  return sha256Hex(canonicalJson(rest));
}

/** Network id, e.g. `mochila-demo-3f2a9c1b7d4e5f60`: a readable slug of the name plus 16 hex of the manifest hash. */
export function networkId(m: Manifest): string {
  const slug = m.name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '')
    .slice(0, 32);
  return `${slug || 'net'}-${manifestHash(m).slice(0, 16)}`;
}

export function validateManifest(schemas: SchemaRegistry, m: unknown): Manifest {
  schemas.assertValid('manifest', m, 'manifest');
  return m as Manifest;
}
