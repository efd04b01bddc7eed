/**
 * A local network of the demo units on loopback (`npm start`, `mochila devnet`): one data folder per unit, a
 * shared manifest naming them all as founders, each unit's fixture catalogue imported into its own node, every
 * node started in this process, and the demo's mailbox (a local SMTP server) receiving the claim-link e-mails of the
 * demo cohorts. Must never be used for production nodes (admin tokens are kept in the data folder).
 */
import { chmodSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { createLogger } from './core/logger.js';
import { generateKey, keyFromSeed, type Ed25519Key } from './identity/keys.js';
import { createManifest, type Manifest } from './trust/manifest.js';
import { loadConfig } from './config.js';
import { startNode, type MochilaNode } from './context.js';
import { initNode } from './init.js';
import { importCatalogueFile } from './catalogue/import.js';
import { parseCohortCsv } from './credentials/csv.js';
import { demoProgrammeFile, issueDemoProgramme } from './demo-programme.js';
import type { Profile } from './trust/institutions.js';
import { DemoMailbox } from './ops/demo-mailbox.js';
import { DEMO_AGENCY, demoAccreditationBodies, demoAgencyDir, publishDemoAccreditations } from './demo-agency.js';

export const FIXTURES_DIR = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../fixtures');

export interface DevnetOptions {
  dir: string;
  units: number;
  httpPort: number; // first unit; 0 = any free port for every unit
  p2pPort: number; // first unit; 0 = any; -1 = no replication
  fresh?: boolean;
  log?: (line: string) => void;
  logLevel?: 'debug' | 'info' | 'warn' | 'error' | 'silent';
  /** Port of the demo mailbox's page (default: the first unit's HTTP port + 25; 0: any free port). */
  mailPagePort?: number;
}

export interface DevnetUnit {
  slug: string;
  dir: string;
  did: string;
  token: string;
  node: MochilaNode;
}

export interface Devnet {
  units: DevnetUnit[];
  /** The fixture quality-assurance agency (fixtures/agencies/acap, kind qa-agency, a founder); null in a demo folder made before it existed. */
  agency: DevnetUnit | null;
  manifest: Manifest;
  /** The demo's local SMTP server: every claim-link e-mail the units send lands there (node/ops/demo-mailbox.ts). */
  mailbox: DemoMailbox;
  /** Resolves when every unit holds the same replica (equal heads digests). */
  converged(timeoutMs?: number): Promise<boolean>;
  close(): Promise<void>;
}

export function demoUnitSlugs(): string[] {
  const dir = path.join(FIXTURES_DIR, 'units');
  return readdirSync(dir)
    .filter((d) => existsSync(path.join(dir, d, 'profile.json')))
    .sort();
}

interface DevnetState {
  manifest: Manifest;
  units: { slug: string; seed: string }[];
  /** the fixture agency's key (absent in demo folders made before it) */
  agency?: { slug: string; seed: string };
}

export async function runDevnet(o: DevnetOptions): Promise<Devnet> {
  const log = o.log ?? (() => {});
  if (o.fresh && existsSync(o.dir)) rmSync(o.dir, { recursive: true, force: true });
  mkdirSync(o.dir, { recursive: true, mode: 0o700 });
  const slugs = demoUnitSlugs().slice(0, Math.max(1, Math.min(o.units, 6)));
  const stateFile = path.join(o.dir, 'devnet.json');

  let state: DevnetState;
  if (existsSync(stateFile)) {
    state = JSON.parse(readFileSync(stateFile, 'utf8')) as DevnetState;
  } else {
    const keys = slugs.map((slug) => ({ slug, key: generateKey() }));
    // the fixture quality-assurance agency is a founder too (kind qa-agency: it accredits some pilots)
    const agencyKey = generateKey();
    // the first unit plays the coordinating unit: the one member that may publish reference data
    const manifest = createManifest({ name: 'Red MOCHILA demo', founders: [...keys.map((k) => k.key.did), agencyKey.did], endorsements: 2, referencePublishers: [keys[0]!.key.did], qaAgencies: [agencyKey.did] });
    state = {
      manifest,
      units: keys.map((k) => ({ slug: k.slug, seed: Buffer.from(k.key.seed).toString('base64url') })),
      agency: { slug: DEMO_AGENCY, seed: Buffer.from(agencyKey.seed).toString('base64url') },
    };
    const agencyProfile = JSON.parse(readFileSync(path.join(demoAgencyDir(FIXTURES_DIR), 'profile.json'), 'utf8')) as Profile;
    const a = keys.length;
    const agencyInit = initNode({
      dir: path.join(o.dir, DEMO_AGENCY),
      name: agencyProfile.name.es ?? DEMO_AGENCY,
      country: agencyProfile.country,
      profile: agencyProfile,
      manifest,
      institutionKey: agencyKey,
      fileConfig: { httpHost: '127.0.0.1', p2pHost: '127.0.0.1', httpPort: o.httpPort === 0 ? 0 : o.httpPort + a, p2pPort: o.p2pPort <= 0 ? o.p2pPort : o.p2pPort + a },
    });
    writeFileSync(path.join(o.dir, DEMO_AGENCY, 'admin-token.txt'), agencyInit.token + '\n', { mode: 0o600 });
    for (const [i, u] of keys.entries()) {
      const profile = JSON.parse(readFileSync(path.join(FIXTURES_DIR, 'units', u.slug, 'profile.json'), 'utf8')) as Profile;
      const r = initNode({
        dir: path.join(o.dir, u.slug),
        name: profile.name.es ?? profile.name.en ?? u.slug,
        country: profile.country,
        profile,
        manifest,
        institutionKey: u.key,
        fileConfig: { httpHost: '127.0.0.1', p2pHost: '127.0.0.1', httpPort: o.httpPort === 0 ? 0 : o.httpPort + i, p2pPort: o.p2pPort <= 0 ? o.p2pPort : o.p2pPort + i },
      });
      const tokenFile = path.join(o.dir, u.slug, 'admin-token.txt');
      writeFileSync(tokenFile, r.token + '\n', { mode: 0o600 });
      chmodSync(tokenFile, 0o600);
    }
    writeFileSync(stateFile, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  }

  const keys: Ed25519Key[] = state.units.map((u) => keyFromSeed(Buffer.from(u.seed, 'base64url')));
  const units: DevnetUnit[] = [];
  let agency: DevnetUnit | null = null;
  let sampleLink: string | null = null;
  let programmeLink: string | null = null;
  // the demo's mail: a real SMTP server on loopback that keeps what it receives (.eml files and a read-only page)
  const mailbox = new DemoMailbox({
    dir: path.join(o.dir, 'mail'),
    smtpPort: 0,
    pagePort: o.mailPagePort ?? (o.httpPort === 0 ? 0 : o.httpPort + 25),
  });
  await mailbox.start();
  try {
    for (const [i, u] of state.units.entries()) {
      const dir = path.join(o.dir, u.slug);
      const config = loadConfig(dir, {
        httpHost: '127.0.0.1',
        p2pHost: '127.0.0.1',
        httpPort: o.httpPort === 0 ? 0 : o.httpPort + i,
        p2pPort: o.p2pPort <= 0 ? o.p2pPort : o.p2pPort + i,
        bootstrap: [],
        // the demo's nodes are started one by one and publish before they are connected; their data folder is theirs
        standalone: true,
        logLevel: o.logLevel ?? 'warn',
        // the demo's units send their claim links to the demo mailbox (never a real server)
        smtp: { host: '127.0.0.1', port: mailbox.smtpPort, secure: false, from: `Registro ${u.slug} <registro@${u.slug}.demo.invalid>`, retryBaseMs: 1000, pollMs: 500 },
      });
      const node = await startNode(config, { logger: createLogger(config.logLevel, { unit: u.slug }) });
      const imported = importCatalogueFile(node.services.catalogue, path.join(FIXTURES_DIR, 'units', u.slug, 'catalogue.json'));
      if (imported.errors.length) log(`  ${u.slug}: ${imported.errors.length} catalogue records failed: ${imported.errors[0]?.message}`);
      const token = readFileSync(path.join(dir, 'admin-token.txt'), 'utf8').trim();
      // the unit's demo cohort (fixtures/learners/cohort-<slug>*.csv): issued once, later runs skip everyone
      const cohort = readdirSync(path.join(FIXTURES_DIR, 'learners')).find((f) => f.startsWith(`cohort-${u.slug}`) && f.endsWith('.csv'));
      if (cohort) {
        const rows = parseCohortCsv(readFileSync(path.join(FIXTURES_DIR, 'learners', cohort), 'utf8')).rows;
        const results = await node.services.credentials.issueRows(rows, { notify: true, language: 'es' });
        const issued = results.filter((r) => r.status === 'issued').length;
        const failed = results.filter((r) => r.status === 'failed').length;
        if (issued || failed) log(`  ${u.slug}: demo cohort ${cohort}: ${issued} credentials issued${failed ? `, ${failed} rows refused (on purpose: the file has bad rows)` : ''}`);
        const sample = results.find((r) => r.id);
        if (sample && !sampleLink) sampleLink = node.services.credentials.verifyUrl(sample.id!);
      }
      // the unit's programme (fixtures/learners/programme-<slug>.csv): modules, then the badge with a portfolio
      const programmeFile = demoProgrammeFile(FIXTURES_DIR, u.slug);
      const programme = existsSync(programmeFile) ? await issueDemoProgramme(node, programmeFile, { notify: true, language: 'es' }) : null;
      if (programme && (programme.issued.length || programme.refused.length)) {
        log(`  ${u.slug}: programme ${programme.programme}: badge with portfolio issued to ${programme.issued.length} learners${programme.refused.length ? `, refused to ${programme.refused.map((r) => r.name).join(', ')} (a module missing, on purpose)` : ''}`);
        if (programme.issued[0]) programmeLink = programme.issued[0].verifyUrl;
      }
      units.push({ slug: u.slug, dir, did: keys[i]!.did, token, node });
    }
    // the fixture agency: started like a unit (no catalogue, no mail), it accredits some of the started pilots
    if (state.agency) {
      const a = state.units.length;
      const dir = path.join(o.dir, state.agency.slug);
      const config = loadConfig(dir, {
        httpHost: '127.0.0.1',
        p2pHost: '127.0.0.1',
        httpPort: o.httpPort === 0 ? 0 : o.httpPort + a,
        p2pPort: o.p2pPort <= 0 ? o.p2pPort : o.p2pPort + a,
        bootstrap: [],
        standalone: true,
        logLevel: o.logLevel ?? 'warn',
      });
      const node = await startNode(config, { logger: createLogger(config.logLevel, { unit: state.agency.slug }) });
      agency = { slug: state.agency.slug, dir, did: keyFromSeed(Buffer.from(state.agency.seed, 'base64url')).did, token: readFileSync(path.join(dir, 'admin-token.txt'), 'utf8').trim(), node };
      const published = publishDemoAccreditations(node, demoAccreditationBodies(FIXTURES_DIR, new Map(units.map((u) => [u.slug, u.did]))));
      if (published) log(`  ${state.agency.slug}: ${published} accreditation entries published (institution, microcredential, programme; one withdrawn)`);
    } else log('  (this demo folder predates the fixture agency: run with --fresh to start it)');
  } catch (e) {
    await Promise.all(units.map((u) => u.node.stop()));
    await agency?.node.stop();
    await mailbox.stop();
    throw e;
  }

  // connect every unit to every other (a full mesh on loopback); afterwards each node keeps its members connected
  const withP2p = [...units, ...(agency ? [agency] : [])].filter((u) => u.node.replicator);
  await Promise.allSettled(
    withP2p.flatMap((u, i) =>
      withP2p.slice(i + 1).map((v) => u.node.replicator!.dial(v.node.replicator!.addresses().find((a) => a.includes('127.0.0.1')) ?? v.node.replicator!.addresses()[0]!)),
    ),
  );
  log(`MOCHILA demo network "${state.manifest.name}" — ${units.length} units on loopback${withP2p.length ? ', replicating over libp2p' : ''}`);
  for (const u of [...units, ...(agency ? [agency] : [])]) {
    const p = u.node.services.institutions.get(u.did)?.profile;
    log(`  ${(p?.shortName ?? u.slug).padEnd(12)} ${p?.country ?? '  '}  ${u.node.httpUrl}  admin token: ${u.token}`);
  }
  log(`Open ${units[0]?.node.httpUrl ?? ''} in a browser; API docs at /docs. Ctrl-C stops every node.`);
  if (sampleLink) log(`A demo learner's credential, to verify: ${sampleLink}`);
  if (programmeLink) log(`A programme badge (three modules + final portfolio), to verify: ${programmeLink}`);
  log(`The demo's mail (the learners' claim links, kept on this machine): ${mailbox.pageUrl} — .eml files in ${mailbox.dir}`);
  return {
    units,
    agency,
    manifest: state.manifest,
    mailbox,
    converged: async (timeoutMs = 30_000) => {
      const t0 = Date.now();
      while (Date.now() - t0 < timeoutMs) {
        if (new Set([...units, ...(agency ? [agency] : [])].map((u) => u.node.services.feed.headsDigest())).size === 1) return true;
        await new Promise((r) => setTimeout(r, 50));
      }
      return false;
    },
    close: async () => {
      await Promise.all([...units, ...(agency ? [agency] : [])].map((u) => u.node.stop()));
      await mailbox.stop();
    },
  };
}
