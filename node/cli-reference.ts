/**
 * `mochila reference publish | list`: the network's reference data from the command line. `publish` signs a
 * `reference` entry (credit system, qualifications framework or correspondence table) into this node's feed, which
 * only a member named in the manifest's referencePublishers may do; `list` prints the live set with who published
 * each record. Must never hold domain logic (ReferencePublisher and ReferenceRegistry do).
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { RegistryError } from './core/errors.js';
import { REFERENCE_KINDS, type ReferenceKind } from './catalogue/reference-registry.js';
import { withServices } from './cli-common.js';

export function registerReferenceCommands(program: Command): void {
  const reference = program.command('reference').description("the network's reference data: credit systems, qualifications frameworks, correspondence tables");

  reference
    .command('publish')
    .description("publish a reference entry (only a member named in the manifest's referencePublishers)")
    .requiredOption('--dir <dir>', 'data folder of the node')
    .argument('<file>', 'JSON: { "kind": "credit-system" | "qualifications-framework" | "correspondence-table", "version": "YYYY-MM-DD", "record": {…}, "statement"?: "…" } (the record in the shape of schemas/reference)')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
    .action((file: string, o) => {
      let body: unknown;
      try {
        body = JSON.parse(readFileSync(file, 'utf8'));
      } catch (e) {
        throw new RegistryError('validation_failed', `${file} is not JSON: ${(e as Error).message}`);
      }
      const e = withServices(o.dir, o, (s) => s.referencePublisher.publish(body));
      console.log(`published ${e.body.kind} ${e.body.record.id} version ${e.body.version} (entry ${e.id}, seq ${e.seq}); it replicates when the node runs`);
    });

  reference
    .command('list')
    .description('the live reference data: each record, its version, and who published it (bundled: shipped with the node)')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--kind <kind>', REFERENCE_KINDS.join(' | '))
    .option('--json', 'print as JSON')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
    .action((o) => {
      if (o.kind && !(REFERENCE_KINDS as readonly string[]).includes(o.kind)) throw new RegistryError('validation_failed', `--kind must be one of ${REFERENCE_KINDS.join(', ')}`);
      const out = withServices(o.dir, o, (s) => ({
        publishers: s.referencePolicy.publishers(),
        items: s.reference.list(o.kind as ReferenceKind | undefined).map((i) => ({ kind: i.kind, id: i.id, confidence: i.record.confidence ?? null, ...i.provenance })),
      }));
      if (o.json) return void console.log(JSON.stringify(out, null, 2));
      console.log(`may publish: ${out.publishers.length ? out.publishers.join(', ') : 'nobody (the manifest names no referencePublishers)'}`);
      for (const i of out.items)
        console.log(`${i.kind.padEnd(24)} ${i.id.padEnd(14)} ${i.version}  ${i.origin === 'bundled' ? 'bundled' : `${i.publishedBy} at ${i.publishedAt}`}${i.confidence ? `  (${String(i.confidence)})` : ''}`);
    });
}
