/**
 * `mochila issue`, `mochila credential revoke|suspend|reinstate|show|reissue`, `mochila verify` and `mochila keys rotate|compromise`.
 * They open the node's database directly, so they work with the node stopped or running (SQLite in WAL mode lets
 * both write; a running node serves what the CLI published on its next sync round). Must never hold domain logic.
 */
import type { Command } from 'commander';
import { readFileSync } from 'node:fs';
import { withServices } from './cli-common.js';
import { RegistryError } from './core/errors.js';
import { parseCohortCsv } from './credentials/csv.js';
import { CHOSEN_REASON_CATEGORIES, isReasonCategory } from './credentials/status-reasons.js';
import { cohortFiles, evidenceOptions, evidenceRequest, readResultsFile } from './cli-evidence.js';
import type { Check, VerificationReport } from './credentials/verify.js';


const SYMBOL: Record<Check['status'], string> = { ok: '✔', failed: '✘', unchecked: '?' };

/** The verification report for a terminal. */
export function formatReport(r: VerificationReport): string {
  const lines: string[] = [];
  const head = r.verified ? 'VERIFIED' : r.outcome === 'incomplete' ? 'NOT VERIFIED (some checks could not be made)' : 'NOT VERIFIED';
  lines.push(head);
  if (r.summary) lines.push(`  ${r.summary}`);
  if (r.credential?.achievement?.name) lines.push(`  microcredential: ${r.credential.achievement.name}`);
  if (r.issuer) lines.push(`  issuer: ${r.issuer.name} (${r.issuer.country}) ${r.issuer.member ? 'member of the network' : 'NOT a member of the network'}`);
  else if (r.credential?.issuer) lines.push(`  issuer: ${r.credential.issuer} (unknown to this node)`);
  if (r.credential?.learner?.name) lines.push(`  learner: ${r.credential.learner.name}`);
  for (const c of r.checks) lines.push(`  ${SYMBOL[c.status]} ${c.id.padEnd(24)} ${c.status.padEnd(9)} ${c.reason}`);
  return lines.join('\n');
}

function progressBar(done: number, total: number, issued: number, skipped: number, failed: number): string {
  const width = 30;
  const filled = total ? Math.round((done / total) * width) : width;
  return `\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${done}/${total}  issued ${issued}  skipped ${skipped}  failed ${failed}`;
}

/** A module credential file given to `issue --module` (a programme's badge): JSON, at most 1 MiB. */
function readModuleCredential(file: string): unknown {
  const text = readFileSync(file, 'utf8');
  if (text.length > 1024 * 1024) throw new RegistryError('validation_failed', `${file}: a module credential file is at most 1 MiB`);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    throw new RegistryError('validation_failed', `${file}: not a JSON credential`);
  }
}

export function registerCredentialCommands(program: Command): void {
  // evidence, results, credits earned and activity dates: node/cli-evidence.ts
  evidenceOptions(program.command('issue'))
    .description('issue an Open Badges 3.0 credential (prints it as JSON), or a whole cohort with --csv')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--microcredential <id>', "catalogue code or network-wide id (for --csv: for rows without a microcredencial column)")
    .option('--name <name>', "learner's full name")
    .option('--email <email>', "learner's e-mail (hashed with a salt into the credential)")
    .option('--learner-did <did>', "learner's DID instead of (or as well as) the e-mail")
    .option('--valid-until <date>', 'end of validity (ISO 8601)')
    .option('--no-suspension', 'do not give the credential a suspension status')
    .option('--csv <file>', 'issue a cohort: name|nombre, email|correo (or did), optional microcredential|microcredencial, validUntil|vigencia, evidencia_url, evidencia, evidencia_archivo (files next to the CSV), creditos, fecha_inicio, fecha_fin, "resultado: <criterion>" (README: Evidence and results)')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
    .option('--notify', "e-mail each learner their claim link (node.json smtp; sent by the running node, or at its next start)")
    .option('--language <es|en>', 'language of that e-mail (default es; a CSV idioma column wins per row)')
    .option('--module <file>', "a programme's badge: one of the learner's module credentials (JSON file); repeat once per module", (f: string, all: string[] = []) => [...all, f])
    .action(async (o) => {
      if (o.language !== undefined && o.language !== 'es' && o.language !== 'en' && o.language !== 'pt') throw new RegistryError('validation_failed', `--language must be es, en or pt, not ${String(o.language)}`);
      const mail = { ...(o.notify ? { notify: true as const } : {}), ...(o.language ? { language: o.language as 'es' | 'en' | 'pt' } : {}) };
      await withServices(o.dir, o, async (s) => {
        if (o.csv) {
          s.feed.assertCanAppend(); // once, with what to do, rather than once per row
          const { rows } = parseCohortCsv(readFileSync(o.csv, 'utf8'));
          // the files rows name (evidencia_archivo), next to the CSV; the description of each result column
          const files = cohortFiles(o.csv, rows);
          const template = readResultsFile(o.resultsFile);
          let issued = 0;
          let skipped = 0;
          let failed = 0;
          const tty = process.stderr.isTTY;
          if (o.notify) s.credentials.issuance.checkExtras({ microcredential: o.microcredential ?? '', learner: { name: '' }, notify: true });
          const results = await s.credentials.issueRows(rows, {
            ...(o.microcredential ? { microcredential: o.microcredential } : {}),
            ...mail,
            ...(files.size ? { files } : {}),
            ...(template ? { results: template } : {}),
            onProgress: (done, r) => {
              if (r.status === 'issued') issued++;
              else if (r.status === 'skipped') skipped++;
              else failed++;
              if (tty || done === rows.length || done % 100 === 0) process.stderr.write(progressBar(done, rows.length, issued, skipped, failed) + (tty ? '' : '\n'));
            },
          });
          if (tty) process.stderr.write('\n');
          for (const r of results) if (r.status === 'failed') console.error(`  line ${r.line}: ${r.error}`);
          console.log(JSON.stringify({ total: rows.length, issued, skipped, failed, rows: results }, null, 2));
          if (failed) process.exitCode = 1;
          return;
        }
        if (!o.microcredential || !o.name || (!o.email && !o.learnerDid))
          throw new RegistryError('validation_failed', 'give --microcredential, --name and --email (or --learner-did), or --csv FILE');
        const c = await s.credentials.issue({
          microcredential: o.microcredential,
          learner: { name: o.name, ...(o.email ? { email: o.email } : {}), ...(o.learnerDid ? { did: o.learnerDid } : {}) },
          ...(o.validUntil ? { validUntil: o.validUntil } : {}),
          suspension: o.suspension !== false,
          ...mail,
          ...evidenceRequest(o),
          ...(o.module?.length ? { modules: (o.module as string[]).map(readModuleCredential) } : {}),
        });
        console.error(`issued ${c.id}\nverification link: ${c.verifyUrl}`);
        if (c.claimUrl) console.error(`claim link (personal, shown this once${c.delivery === 'queued' ? '; queued for e-mail' : ''}): ${c.claimUrl}`);
        console.log(JSON.stringify(c.credential, null, 2));
      });
    });

  const credential = program.command('credential').description('credentials issued by this node');
  for (const action of ['revoke', 'suspend', 'reinstate'] as const) {
    credential
      .command(action)
      .description(`${action} a credential (publishes the unit's new status list)`)
      .requiredOption('--dir <dir>', 'data folder of the node')
      .option('--reason <text>', 'why, in free text (kept at this node only: never replicated nor shown by verification)')
      .option(
        '--reason-category <category>',
        action === 'reinstate' ? 'refused: a reinstatement clears the category' : `the reason category the network shows: ${CHOSEN_REASON_CATEGORIES.join(' | ')}`,
      )
      .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
      .argument('<id>', 'the credential id (urn:uuid:...)')
      .action(async (id: string, o) => {
        const category = o.reasonCategory as string | undefined;
        if (category !== undefined && !isReasonCategory(category)) throw new RegistryError('validation_failed', `--reason-category must be one of ${CHOSEN_REASON_CATEGORIES.join(', ')}`);
        await withServices(o.dir, o, async (s) => {
          const c = await s.credentials[action](id, o.reason, category);
          console.log(`${c.id}: ${c.status.revoked ? 'revoked' : c.status.suspended ? 'suspended' : 'active'}`);
        });
      });
  }
  credential
    .command('show')
    .description('print an issued credential with its status')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .argument('<id>', 'the credential id (urn:uuid:...)')
    .action(async (id: string, o) => {
      await withServices(o.dir, o, async (s) => {
        const c = s.credentials.get(id);
        if (!c) throw new RegistryError('not_found', `no credential ${id} was issued by this node`);
        console.log(JSON.stringify(c, null, 2));
      });
    });

  program
    .command('verify')
    .description("verify a credential or presentation against this node's replica (exit code 0 only when verified)")
    .requiredOption('--dir <dir>', 'data folder of a node (its replica is what the credential is checked against)')
    .option('--json', 'print the full report as JSON')
    .option('--challenge <text>', "the challenge you gave the holder: a presentation's holder proof must carry it")
    .option('--domain <text>', "the domain you gave the holder: a presentation's holder proof must carry it")
    .argument('<file>', 'credential or presentation (JSON)')
    .action(async (file: string, o) => {
      await withServices(o.dir, o, async (s) => {
        // the verifier parses it: a file that is not JSON gets a failed `parse` check, not a crash
        const options = { ...(o.challenge ? { challenge: String(o.challenge) } : {}), ...(o.domain ? { domain: String(o.domain) } : {}) };
        const report = await s.credentials.verify(readFileSync(file, 'utf8'), options);
        console.log(o.json ? JSON.stringify(report, null, 2) : formatReport(report));
        process.exitCode = report.verified ? 0 : 1;
      });
    });

  credential
    .command('reissue')
    .description('re-issue with the current key the credentials in force signed by an earlier (rotated or compromised) key; the old ones are revoked as re-issued')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .requiredOption('--key <did>', 'the earlier issuer key (did:key:z6Mk…)')
    .option('--since <date>', 'only credentials issued at or after this time (e.g. the compromise date)')
    .option('--until <date>', 'only credentials issued before this time')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
    .action(async (o) => {
      await withServices(o.dir, o, async (s) => {
        let reissued = 0;
        let failed = 0;
        for (;;) {
          const r = await s.credentials.reissueBatch({ issuerKey: o.key, ...(o.since ? { issuedFrom: o.since } : {}), ...(o.until ? { issuedTo: o.until } : {}), limit: 200 });
          for (const row of r.rows) console.log(row.status === 'reissued' ? `${row.id} → ${row.newId}  ${row.learnerName ?? ''}` : `${row.id}  FAILED: ${row.error}`);
          reissued += r.reissued;
          failed += r.failed;
          // rows that failed stay matched: stop when a round re-issues nothing
          if (r.remaining === 0 || r.reissued === 0) break;
        }
        console.error(`re-issued ${reissued}, failed ${failed}`);
        if (failed) process.exitCode = 1;
      });
    });

  const keys = program.command('keys').description('issuer keys');
  keys
    .command('rotate')
    .description('publish a new issuer key and end the current one; credentials signed before keep verifying (a running node on the same folder signs with the new key from its next signature)')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .option('--compromised-since <date>', 'the old key is compromised: credentials it signed from this time on fail verification, it never signs again, and its status lists are re-signed with the new key')
    .option('--note <text>', 'why')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
    .action(async (o) => {
      await withServices(o.dir, o, async (s) => {
        if (o.compromisedSince && Number.isNaN(Date.parse(o.compromisedSince))) throw new RegistryError('validation_failed', '--compromised-since must be an ISO 8601 date-time');
        const r = await s.issuerKeyLifecycle.rotate({ ...(o.compromisedSince ? { compromisedSince: new Date(o.compromisedSince) } : {}), ...(o.note ? { note: o.note } : {}) });
        console.log(JSON.stringify(r, null, 2));
        if (o.compromisedSince) console.error(`re-issue what the old key signed: mochila credential reissue --dir ${o.dir} --key ${r.oldKeyId}`);
      });
    });
  keys
    .command('compromise')
    .description('declare an earlier (already rotated) issuer key compromised from a date: it never signs again and its status lists are re-signed with the current key')
    .requiredOption('--dir <dir>', 'data folder of the node')
    .requiredOption('--key <did>', 'the earlier issuer key (did:key:z6Mk…)')
    .requiredOption('--since <date>', 'compromised from (ISO 8601): credentials it signed from then on fail verification')
    .option('--note <text>', 'why')
    .option('--passphrase-file <file>', 'passphrase of an encrypted key file')
    .action(async (o) => {
      await withServices(o.dir, o, async (s) => {
        if (Number.isNaN(Date.parse(o.since))) throw new RegistryError('validation_failed', '--since must be an ISO 8601 date-time');
        console.log(JSON.stringify(await s.issuerKeyLifecycle.declareCompromised(o.key, new Date(o.since), o.note), null, 2));
        console.error(`re-issue what it signed: mochila credential reissue --dir ${o.dir} --key ${o.key}`);
      });
    });
}
