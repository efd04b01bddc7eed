/**
 * The `mochila` command line. Parses arguments, calls the composition root, prints results, sets exit codes.
 * Must never hold domain logic. The Node 20 compat shim is loaded by bin/mochila.js before this module.
 */
import { Command, Option } from 'commander';
import { existsSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { isRegistryError, type ErrorCode } from './core/errors.js';
import { createLogger } from './core/logger.js';
import { SchemaRegistry } from './core/schema-registry.js';
import { loadConfig, type NodeConfig } from './config.js';
import { lookupVerifier, startNode } from './context.js';
import { registerCredentialCommands } from './cli-credentials.js';
import { initMirror, initNode, keygen } from './init.js';
import { didToPeerId } from './federation/peer-ids.js';
import { createManifest, networkId, validateManifest } from './trust/manifest.js';
import { isEd25519DidKey } from './identity/keys.js';
import { importCatalogueFile } from './catalogue/import.js';
import { backupNode, restoreNode } from './ops/backup.js';
import { registerRecognitionCommands } from './cli-recognition.js';
import { registerReferenceCommands } from './cli-reference.js';
import { onStopSignal, readPassphrase, withServices } from './cli-common.js';
import { missingGcFlag, SINGLE_THREADED_GC_FLAG } from './core/gc-mode.js';
import { availableParallelism } from 'node:os';


function intOpt(v: string): number {
  const n = Number(v);
  if (!Number.isInteger(n) || n < 0 || n > 65535) throw new Error(`not a port number: ${v}`);
  return n;
}

/** A libp2p port: 0 = any free port, -1 = replication off. */
function p2pPortOpt(v: string): number {
  return v === '-1' || v === 'off' ? -1 : intOpt(v);
}

function collect(v: string, prev: string[] = []): string[] {
  return [...prev, v];
}

export function buildCli(): Command {
  const program = new Command();
  program
    .name('mochila')
    .description('MOCHILA registry node: publish, replicate, verify and recognise microcredentials across the network')
    .showHelpAfterError();

  program
    .command('keygen')
    .description("only the institution's keys (for a founder: send the DID to whoever writes the network manifest, then run init --manifest in the same folder)")
    .requiredOption('--dir <dir>', 'data folder for this node (created)')
    .option('--passphrase-file <file>', 'encrypt the key file with the passphrase in this file (or set MOCHILA_PASSPHRASE)')
    .action((o) => {
      const pp = readPassphrase(o.passphraseFile);
      const r = keygen({ dir: o.dir, ...(pp ? { passphrase: pp } : {}) });
      console.log(`did: ${r.did}`);
      console.log(`peer id: ${didToPeerId(r.did).toString()}`);
      console.log(`keys written to ${r.keystoreFile} (mode 0600)`);
    });

  program
    .command('init')
    .description("create a node: the institution's key and DID, a first issuer key, the database and an admin token (with --mirror: a read mirror)")
    .requiredOption('--dir <dir>', 'data folder for this node (created)')
    .option('--name <name>', 'institution name (Spanish), e.g. "Universidad de Ejemplo" (required unless --mirror)')
    .option('--country <cc>', 'ISO 3166-1 alpha-2 country code, e.g. MX, CL, GT (required unless --mirror)')
    .option('--mirror', 'a read mirror of the network in --manifest: not a member, publishes nothing, replicates and serves the public API and web app')
    .option('--short-name <name>', 'short name or acronym')
    .option('--kind <kind>', 'hei (default) or qa-agency', 'hei')
    .option('--manifest <file>', 'network manifest to join (default: a new network with this node as its only founder)')
    .option('--passphrase-file <file>', 'encrypt the key file with the passphrase in this file (or set MOCHILA_PASSPHRASE)')
    .option('--http-port <n>', 'HTTP port to store in node.json', intOpt)
    .option('--p2p-port <n>', 'libp2p TCP port to store in node.json', intOpt)
    .option('--public-url <url>', 'URL at which others reach this node over HTTP')
    .action((o) => {
      const passphrase = readPassphrase(o.passphraseFile);
      const fileConfig = {
        ...(o.httpPort !== undefined ? { httpPort: o.httpPort } : {}),
        ...(o.p2pPort !== undefined ? { p2pPort: o.p2pPort } : {}),
        ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
      };
      if (o.mirror) {
        if (!o.manifest) throw new Error('a read mirror needs the manifest of the network it mirrors: --manifest <file>');
        if (o.name || o.country) throw new Error('a read mirror is no institution: it takes no --name or --country');
        const m = initMirror({ dir: o.dir, manifestFile: o.manifest, ...(passphrase ? { passphrase } : {}), fileConfig });
        console.log(`read mirror created in ${m.dir}`);
        console.log(`peer id: ${didToPeerId(m.did).toString()}  (members may list it in node.json "mirrors")`);
        console.log(`network: ${m.network}`);
        console.log('It publishes nothing and has no admin token; start it with `mochila start --dir ' + String(o.dir) + ' --bootstrap <a member\'s address>`.');
        return;
      }
      if (!o.name) throw new Error("required option '--name <name>' not specified");
      if (!o.country) throw new Error("required option '--country <cc>' not specified");
      const r = initNode({
        dir: o.dir,
        name: o.name,
        country: String(o.country).toUpperCase(),
        profile: { kind: o.kind, ...(o.shortName ? { shortName: o.shortName } : {}) },
        ...(o.manifest ? { manifestFile: o.manifest } : {}),
        ...(passphrase ? { passphrase } : {}),
        fileConfig,
      });
      console.log(`node created in ${r.dir}`);
      console.log(`did: ${r.did}`);
      console.log(`peer id: ${didToPeerId(r.did).toString()}`);
      console.log(`issuer key: ${r.issuerKey}`);
      console.log(`network: ${r.network}${r.founder ? ' (founder)' : ' (not yet a member: ask members to run `mochila endorse ' + r.did + '`)'}`);
      console.log(`admin token: ${r.token}`);
      console.log('Keep the admin token safe: it is shown only once (a new one: `mochila token create`).');
    });

  program
    .command('start')
    .description('run the node (HTTP API, web app and, when configured, replication)')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--http-port <n>', 'HTTP port (default 8080)', intOpt)
    .option('--http-host <host>', 'HTTP bind address (default 0.0.0.0)')
    .option('--p2p-port <n>', 'libp2p TCP port (default 9090; -1 or off: no replication)', p2pPortOpt)
    .option('--bootstrap <multiaddr>', 'peer to connect to (repeatable)', collect)
    .addOption(new Option('--p2p-listen <mode>', 'tcp: listen on the libp2p port (default); none: no listening port, dial out only and be reached through --p2p-ws or a member relay (or MOCHILA_P2P_LISTEN, node.json "p2pListen")').choices(['tcp', 'none']))
    .option('--p2p-ws <path>', 'also speak libp2p over WebSocket on the HTTP port at this path, e.g. /p2p, for a reverse proxy to forward (or MOCHILA_P2P_WS, node.json "p2pWs")')
    .option('--public-url <url>', 'URL at which others reach this node over HTTP')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file (or MOCHILA_PASSPHRASE)')
    .option('--standalone', 'publish without first confirming this node\'s own feed with a peer: only for a node alone or first of its network whose database is current (or MOCHILA_STANDALONE=1)')
    .option('--mirror', 'run as a read mirror: replicate and serve, never publish, refuse the admin API (or MOCHILA_MIRROR=1, node.json "mirror": true)')
    .addOption(new Option('--log-level <level>', 'log level').choices(['debug', 'info', 'warn', 'error']))
    .action(async (o) => {
      const pp = readPassphrase(o.passphraseFile);
      const overrides: Partial<NodeConfig> = {
        ...(o.httpPort !== undefined ? { httpPort: o.httpPort } : {}),
        ...(o.httpHost ? { httpHost: o.httpHost } : {}),
        ...(o.p2pPort !== undefined ? { p2pPort: o.p2pPort } : {}),
        ...(o.bootstrap ? { bootstrap: o.bootstrap } : {}),
        ...(o.p2pListen ? { p2pListen: o.p2pListen } : {}),
        ...(o.p2pWs ? { p2pWs: o.p2pWs } : {}),
        ...(o.publicUrl ? { publicUrl: o.publicUrl } : {}),
        ...(o.logLevel ? { logLevel: o.logLevel } : {}),
        ...(o.standalone ? { standalone: true } : {}),
        ...(o.mirror ? { mirror: true } : {}),
        ...(pp ? { passphrase: pp } : {}),
      };
      const config = loadConfig(o.dir, overrides);
      const node = await startNode(config, { logger: createLogger(config.logLevel) });
      console.log(`MOCHILA node ${node.did}`);
      console.log(`network ${node.services.network}`);
      console.log(`web and API: ${node.httpUrl}  (API docs: ${node.httpUrl}/docs)`);
      const own = node.services.ownFeed.state();
      if (config.mirror) console.log('read mirror: replicates every member\'s feed and serves the public API; publishes nothing');
      else if (!own.confirmed) console.log(`not publishing yet: ${own.detail} (GET /api/v1/network shows ownFeed; \`--standalone\` only for a node alone or first of its network)`);
      if (missingGcFlag())
        console.log(`hint: on a machine with ${availableParallelism()} cores, \`node ${SINGLE_THREADED_GC_FLAG} bin/mochila.js start …\` uses less CPU (README, "Run a real node")`);
      onStopSignal(async () => {
        console.log('stopping…');
        await node.stop();
        process.exit(0);
      });
    });

  program
    .command('rebuild')
    .description('re-derive every projection (catalogue, institutions, keys, members, …) from the stored feeds')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
    .action((o) => {
      const r = withServices(o.dir, o, (s) => s.feed.rebuild());
      console.log(`rebuilt projections from ${r.entries} entries in ${r.durationMs.toFixed(0)} ms`);
    });

  const catalogue = program.command('catalogue').description("manage this unit's catalogue");
  catalogue
    .command('import')
    .description('publish every microcredential of a JSON file (an array in the admin API shape); existing codes get a new version when changed')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
    .argument('<file>', 'catalogue.json')
    .action((file: string, o) => {
      const r = withServices(o.dir, o, (s) => importCatalogueFile(s.catalogue, file));
      for (const e of r.errors) console.error(`  #${e.index} ${e.code ?? ''}: ${e.message}`);
      console.log(`created ${r.created}, updated ${r.updated}, unchanged ${r.unchanged}, failed ${r.errors.length}`);
      if (r.errors.length) process.exitCode = 1;
    });

  program
    .command('token')
    .description('admin tokens')
    .command('create')
    .description('create a new admin token (shown once)')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--label <label>', 'what the token is for', 'created by mochila token create')
    .option('--revoke-others', 'revoke every earlier token')
    .action((o) => {
      const t = withServices(o.dir, {}, (s) => {
        if (o.revokeOthers) s.adminTokens.revokeAll();
        return s.adminTokens.create(o.label);
      });
      console.log(`admin token: ${t.token}`);
    });

  const manifest = program.command('manifest').description('network manifests');
  manifest
    .command('create')
    .description('create a network manifest naming the founding members')
    .requiredOption('--name <name>', 'network name, e.g. "Red MOCHILA"')
    .requiredOption('--founder <did>', 'did:key of a founding member (repeatable)', collect)
    .option('--endorsements <n>', 'member endorsements needed to admit a new member', (v) => Number(v))
    .option('--bootstrap <multiaddr>', 'bootstrap address (repeatable)', collect)
    .option('--reference-publisher <did>', 'did:key of a member that may publish reference data, e.g. the coordinating unit or a QA agency (repeatable)', collect)
    .option('--qa-agency <did>', 'did:key of a quality-assurance agency that may publish accreditations (repeatable; without any, a member whose profile says qa-agency may)', collect)
    .option('--out <file>', 'write to this file (default: stdout)')
    .action((o) => {
      for (const d of [...(o.founder as string[]), ...((o.referencePublisher as string[] | undefined) ?? []), ...((o.qaAgency as string[] | undefined) ?? [])]) if (!isEd25519DidKey(d)) throw new Error(`not an Ed25519 did:key: ${d}`);
      const m = createManifest({
        name: o.name,
        founders: o.founder,
        ...(o.endorsements ? { endorsements: o.endorsements } : {}),
        ...(o.referencePublisher ? { referencePublishers: o.referencePublisher } : {}),
        ...(o.qaAgency ? { qaAgencies: o.qaAgency } : {}),
        ...(o.bootstrap ? { bootstrap: o.bootstrap } : {}),
      });
      validateManifest(new SchemaRegistry(), m);
      const json = JSON.stringify(m, null, 2) + '\n';
      if (o.out) {
        writeFileSync(o.out, json);
        console.error(`manifest written to ${o.out}; network id ${networkId(m)}`);
      } else process.stdout.write(json);
    });

  program
    .command('endorse')
    .description('endorse an institution for admission to the network (publishes an endorsement entry)')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--statement <text>', 'why you endorse it')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
    .argument('<did>', 'did:key of the institution')
    .action((did: string, o) => {
      withServices(o.dir, o, (s) => {
        if (!isEd25519DidKey(did)) throw new Error(`not an Ed25519 did:key: ${did}`);
        s.endorsements.endorse({ subject: did, ...(o.statement ? { statement: o.statement } : {}) });
        console.log(`endorsed ${did}: now ${s.membership.statusOf(did)} (${s.membership.endorsersOf(did).length}/${s.membership.threshold} endorsements)`);
      });
    });

  for (const name of ['devnet', 'demo']) {
    program
      .command(name)
      .description(name === 'demo' ? 'run the demo network (six units on loopback) with the fixtures' : 'run a local network of demo units on loopback')
      .option('--dir <dir>', 'folder for the nodes\' data', '.mochila-demo')
      .option('--units <n>', 'how many of the six demo units', (v) => Number(v), 6)
      .option('--http-port <n>', 'HTTP port of the first unit (others follow)', intOpt, 8080)
      .option('--p2p-port <n>', 'libp2p port of the first unit (others follow; -1: no replication)', p2pPortOpt, 9090)
      .option('--fresh', 'delete the folder first')
      .action(async (o) => {
        const { runDevnet } = await import('./devnet.js'); // loaded for this command only (it starts whole nodes)
        const net = await runDevnet({ dir: path.resolve(o.dir), units: o.units, httpPort: o.httpPort, p2pPort: o.p2pPort, fresh: !!o.fresh, log: (l) => console.log(l) });
        onStopSignal(async () => {
          console.log('stopping the demo network…');
          await net.close();
          process.exit(0);
        });
      });
  }

  program
    .command('backup')
    .description('copy the node (database, keys, node.json, manifest) into one archive with checksums; safe while the node runs')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .requiredOption('--out <file>', 'archive to write (.tar.gz; never overwritten; holds the key file: keep it as safe as the keys)')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file (or MOCHILA_PASSPHRASE)')
    .action(async (o) => {
      const pp = readPassphrase(o.passphraseFile);
      const r = await backupNode({ dir: o.dir, out: o.out, ...(pp ? { passphrase: pp } : {}) });
      console.log(`backup written to ${r.out} (${r.archiveBytes} bytes)`);
      console.log(`did: ${r.manifest.did}  own feed at seq ${r.manifest.ownHead?.seq ?? 0}  network ${r.manifest.network}`);
      for (const f of r.manifest.files) console.log(`  ${f.name}  ${f.bytes} bytes  sha256 ${f.sha256}`);
    });

  program
    .command('restore')
    .description('restore a backup into a new or empty folder; the restored node recovers newer entries of its own feed from its peers before it publishes')
    .requiredOption('--archive <file>', 'archive made by `mochila backup`')
    .requiredOption('--dir <dir>', 'folder to restore into (must not exist or be empty)')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file (or MOCHILA_PASSPHRASE), to check the keys are the node\'s')
    .action(async (o) => {
      const pp = readPassphrase(o.passphraseFile);
      const r = await restoreNode({ archive: o.archive, dir: o.dir, ...(pp ? { passphrase: pp } : {}) });
      console.log(`restored ${r.manifest.did} (backup of ${r.manifest.createdAt}, own feed at seq ${r.manifest.ownHead?.seq ?? 0}) into ${r.dir}`);
      console.log(`start it with its peers reachable: \`mochila start --dir ${o.dir}\`; it publishes once a peer confirms its own feed is current`);
    });

  registerRecognitionCommands(program, { verifyForLookup: (s, input) => lookupVerifier(s).verify(input) });
  registerCredentialCommands(program);
  registerReferenceCommands(program);
  return program;
}

/** Exit codes a script can tell apart (everything else that fails exits with 1). */
export const EXIT_CODES: Partial<Record<ErrorCode, number>> = { backup_corrupt: 3, backup_foreign: 4, target_not_empty: 5 };

export async function main(argv: string[]): Promise<void> {
  const program = buildCli();
  try {
    await program.parseAsync(argv);
  } catch (e) {
    if (isRegistryError(e)) {
      console.error(`error (${e.code}): ${e.message}`);
      const errs = e.details?.errors as { path?: string; element?: string; message: string }[] | undefined;
      if (errs) for (const x of errs.slice(0, 20)) console.error(`  - ${x.element ?? x.path ?? ''} ${x.message}`);
    } else console.error(`error: ${(e as Error).message}`);
    process.exitCode = (isRegistryError(e) && EXIT_CODES[e.code]) || 1;
  }
  void existsSync;
}
