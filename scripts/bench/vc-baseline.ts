/**
 * The credentials baseline: `@digitalbazaar/vc` `issue` / `verifyCredential` called directly with the node's document
 * loader and a plain Ed25519 `eddsa-rdfc-2022` suite on the same Open Badges 3.0 document as node/credentials/bench.ts
 * (the signature and JSON-LD / RDF canonicalisation only, none of our checks). Imports nothing that installs the
 * node's jsonld context cache (node/credentials/sign.ts, verify.ts install it when a signer or verifier is created), so
 * run in a fresh worker it measures jsonld as shipped; run after ours in the same thread it measures it patched.
 */
import * as vc from '@digitalbazaar/vc';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import { generateSeed, keyFromSeed } from '../../node/identity/keys.js';
import { CONTEXTS, createDocumentLoader } from '../../node/identity/document-loader.js';
import { buildOpenBadgeCredential } from '../../node/credentials/ob3.js';
import { BENCH_INSTITUTION, BENCH_RECORD, timed } from '../../node/credentials/bench.js';
import { buildStatusEntry } from '../../node/credentials/status-list.js';

// the same record and institution as node/credentials/bench.ts, so baseline and ours sign and verify the same document
const RECORD = BENCH_RECORD;
const INSTITUTION = BENCH_INSTITUTION;

/** The baseline: @digitalbazaar/vc directly, a plain eddsa-rdfc-2022 suite, the node's document loader. */
export async function baselineVc(nVerify: number, nIssue: number) {
  const documentLoader = createDocumentLoader();
  const key = keyFromSeed(generateSeed());
  const keyPair = await Ed25519Multikey.from({
    '@context': CONTEXTS.MULTIKEY_V1,
    type: 'Multikey',
    id: key.verificationMethod,
    controller: key.did,
    publicKeyMultibase: key.publicKeyMultibase,
    secretKeyMultibase: key.secretKeyMultibase,
  });
  const signSuite = new DataIntegrityProof({ signer: keyPair.signer(), cryptosuite: eddsaRdfc2022 });
  const verifySuite = new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 });
  const unsigned = (i: number) =>
    buildOpenBadgeCredential({
      record: RECORD,
      microcredentialId: 'BENCH-01.0011223344556677',
      institution: INSTITUTION,
      issuerDid: key.did,
      learner: { name: `Learner ${i}`, email: `learner${i}@example.org` },
      issuedAt: '2026-01-01T00:00:00Z',
      credentialStatus: buildStatusEntry({ statusListCredential: 'https://bench.example/sl/1', index: i % 131_072, purpose: 'revocation' }),
    });
  const prebuilt = Array.from({ length: 50 }, (_, i) => unsigned(i));
  const issue = await timed(nIssue, (i) => vc.issue({ credential: structuredClone(prebuilt[i % prebuilt.length]), suite: signSuite, documentLoader }));
  const creds: unknown[] = [];
  for (const c of prebuilt) creds.push(await vc.issue({ credential: structuredClone(c), suite: signSuite, documentLoader }));
  const check = await vc.verifyCredential({ credential: creds[0], suite: verifySuite, documentLoader, checkStatus: async () => ({ verified: true }) });
  if (!check.verified) throw new Error(`baseline credential does not verify: ${String(check.error)}`);
  const verify = await timed(nVerify, async (i) => {
    const r = await vc.verifyCredential({ credential: creds[i % creds.length], suite: verifySuite, documentLoader, checkStatus: async () => ({ verified: true }) });
    if (!r.verified) throw new Error('baseline verification failed');
  });
  return { issue, verify };
}
