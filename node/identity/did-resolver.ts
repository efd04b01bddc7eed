/**
 * DID resolution for the HTTP API (`GET /api/v1/dids/{did}`): a `did-resolver` Resolver with `did:key`
 * (Ed25519) derived locally. It must never touch the network and never resolve other DID methods.
 */
import { Resolver, type DIDResolutionResult, type DIDDocument } from 'did-resolver';
import { createDidKeyDriver } from './document-loader.js';

export function createDidResolver(): Resolver {
  const driver = createDidKeyDriver();
  return new Resolver({
    key: async (did: string): Promise<DIDResolutionResult> => {
      try {
        if (!did.startsWith('did:key:z6Mk')) {
          return notFound('unsupportedPublicKeyType', 'only Ed25519 did:key (z6Mk...) is supported');
        }
        const didDocument = (await driver.get({ did })) as unknown as DIDDocument;
        return {
          didResolutionMetadata: { contentType: 'application/did+ld+json' },
          didDocument,
          didDocumentMetadata: {},
        };
      } catch (e) {
        return notFound('invalidDid', (e as Error).message);
      }
    },
  });
}

function notFound(error: string, message: string): DIDResolutionResult {
  return {
    didResolutionMetadata: { error, message } as DIDResolutionResult['didResolutionMetadata'],
    didDocument: null,
    didDocumentMetadata: {},
  };
}
