/**
 * The status check of a verifier that knows nothing of this project: `@digitalcredentials/vc-bitstring-status-list`'s
 * `checkStatus` with its default options (the status list credential's proof verified, and its issuer required to
 * equal the credential's: `verifyMatchingIssuers`). Status lists are fetched over HTTP from their URL, everything
 * else comes from the independent loader (published context packages and did:key).
 */
import { checkStatus } from '@digitalcredentials/vc-bitstring-status-list';
import { DataIntegrityProof } from '@digitalbazaar/data-integrity';
import { cryptosuite as eddsaRdfc2022 } from '@digitalbazaar/eddsa-rdfc-2022-cryptosuite';
import { independentLoader } from './independent-loader.js';

export interface IndependentStatus {
  verified: boolean;
  error?: Error;
  results?: { verified: boolean; credentialStatus: { statusPurpose: string } }[];
}

/**
 * `origin`: fetch status lists from this node instead of the host in their URL (lists are served by id on any node;
 * a credential the CLI issued names the port of node.json, not the test node's random one).
 */
export async function independentCheckStatus(credential: unknown, origin?: string): Promise<IndependentStatus> {
  const base = independentLoader();
  const documentLoader = async (url: string) => {
    const m = /^https?:\/\/[^/]+(\/api\/v1\/status-lists\/.*)$/.exec(url);
    if (m) {
      const r = await fetch(origin ? `${origin}${m[1]}` : url);
      if (!r.ok) throw new Error(`${url}: HTTP ${r.status}`);
      return { contextUrl: null, documentUrl: url, document: await r.json() };
    }
    return base(url);
  };
  return (await checkStatus({ credential, documentLoader, suite: new DataIntegrityProof({ cryptosuite: eddsaRdfc2022 }) })) as IndependentStatus;
}

/** The purposes whose bit is set ("revocation", "suspension"), or the error that kept the check from answering. */
export function setPurposes(r: IndependentStatus): string[] {
  if (r.error || !r.results) throw new Error(`the independent status check could not answer: ${r.error?.message ?? 'no results'}`);
  return r.results.filter((x) => !x.verified).map((x) => x.credentialStatus.statusPurpose).sort();
}
