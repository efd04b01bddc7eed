/**
 * Makes jsonld's processed-context cache effective for type-scoped contexts (Open Badges 3.0 defines one per
 * class: Achievement, Profile, IdentityObject, Alignment, ...). Without this, every expansion re-processes each
 * type-scoped context and deep-clones the whole active context (and its chain of previous contexts) several times
 * per node: ~80% of the time of an eddsa-rdfc-2022 sign or verify of an OB 3.0 credential.
 *
 * Why it misses (jsonld 9, lib/context.js): `ResolvedContext` caches processed contexts keyed by the identity of the
 * active context they were applied to, but (a) a non-propagating (type-scoped) context is applied to a fresh
 * `activeCtx.clone()` whose `previousContext` is `activeCtx`, and (b) `revertToPreviousContext()` returns a fresh
 * clone of the previous context: the keys are new objects on every node, so the cache never hits.
 *
 * What this does, at run time and without touching node_modules files (it survives `npm ci`):
 * - active contexts derived from jsonld's cached initial contexts get a `clone()` that shares `previousContext`
 *   instead of deep-cloning it, and a `revertToPreviousContext()` that returns `previousContext` itself. jsonld
 *   never mutates an active context once built (every change is made on a fresh `clone()`, see `api.process`), so
 *   sharing is safe; the mappings are still deep-cloned exactly as jsonld does.
 * - the processed-context cache keys "a fresh clone of A whose previousContext is A" (case (a), never mutated
 *   afterwards: `api.process` clones it again before defining terms) by A, through an interned token.
 * Results are identical to unpatched jsonld: the cache only returns what processing the same local context against
 * an identical active context produced. If jsonld's internals are not the expected ones, nothing is patched.
 */
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

interface ActiveCtx {
  clone(this: ActiveCtx): ActiveCtx;
  revertToPreviousContext(this: ActiveCtx): ActiveCtx;
  previousContext?: ActiveCtx;
  mappings: Map<string, unknown>;
  protected: Record<string, unknown>;
  [CLONE_OF]?: ActiveCtx;
}

const CLONE_OF = Symbol('mochila.jsonld.cloneOf');
const PATCHED = Symbol.for('mochila.jsonld.contextCachePatched');

let installed: boolean | undefined;

/** Installs the patch once per process (idempotent). Returns whether it is active. */
export function installJsonLdContextCache(): boolean {
  if (installed !== undefined) return installed;
  installed = false;
  try {
    const version = (require('jsonld/package.json') as { version?: string }).version ?? '';
    if (!/^9\./.test(version)) return false;
    const contextApi = require('jsonld/lib/context.js') as { getInitialContext?: (o: object) => ActiveCtx };
    const ResolvedContext = require('jsonld/lib/ResolvedContext.js') as {
      prototype: { getProcessed(k: object): unknown; setProcessed(k: object, v: unknown): void; [PATCHED]?: true };
    };
    const proto = ResolvedContext.prototype;
    if (proto[PATCHED]) return (installed = true);
    if (typeof contextApi.getInitialContext !== 'function') return false;
    if (typeof proto.getProcessed !== 'function' || typeof proto.setProcessed !== 'function') return false;

    // The initial contexts jsonld caches (keyed by processingMode); every active context is cloned from one.
    const initials = new Set<ActiveCtx>();
    for (const processingMode of [undefined, 'json-ld-1.1', 'json-ld-1.0']) {
      initials.add(contextApi.getInitialContext({ processingMode }));
    }
    for (const init of initials) {
      if (typeof init.clone !== 'function' || typeof init.revertToPreviousContext !== 'function') return false;
    }

    // Set by a processed-cache miss: the very next clone() is `api.process` cloning the active context to define
    // terms on it (no await in between), the only clone jsonld ever mutates. Every other clone is only read (a cache
    // key, a previous context, a scoped-context validation) and may share the source's mappings.
    let mutableNext = false;
    const makeClone = (originalClone: ActiveCtx['clone']) =>
      function clone(this: ActiveCtx): ActiveCtx {
        const mutable = mutableNext;
        mutableNext = false;
        const prev = this.previousContext;
        const mappings = this.mappings;
        const prot = this.protected;
        // jsonld's own clone, minus the deep clone of the (immutable) previous context and, for a read-only clone,
        // of the mappings. Synchronous: nothing else runs while the fields are detached.
        this.previousContext = undefined;
        if (!mutable) {
          this.mappings = new Map();
          this.protected = {};
        }
        let child: ActiveCtx;
        try {
          child = originalClone.call(this);
        } finally {
          this.previousContext = prev;
          this.mappings = mappings;
          this.protected = prot;
        }
        if (prev !== undefined) child.previousContext = prev;
        if (!mutable) {
          child.mappings = mappings;
          child.protected = prot;
        }
        child[CLONE_OF] = this;
        return child;
      };
    const revertToPreviousContext = function (this: ActiveCtx): ActiveCtx {
      return this.previousContext ?? this;
    };

    const tokens = new WeakMap<object, object>();
    const keyOf = (ctx: object): object => {
      const c = ctx as ActiveCtx;
      const prev = c.previousContext;
      if (prev !== undefined && c[CLONE_OF] === prev) {
        let token = tokens.get(prev);
        if (!token) {
          token = Object.freeze({});
          tokens.set(prev, token);
        }
        return token;
      }
      return ctx;
    };
    const getProcessed = proto.getProcessed;
    const setProcessed = proto.setProcessed;
    proto.getProcessed = function (activeCtx: object) {
      const processed = getProcessed.call(this, keyOf(activeCtx));
      if (!processed) mutableNext = true;
      return processed;
    };
    proto.setProcessed = function (activeCtx: object, processed: unknown) {
      setProcessed.call(this, keyOf(activeCtx), processed);
    };
    proto[PATCHED] = true;
    for (const init of initials) {
      // jsonld defines these per initial context (closures); every clone copies them from its parent.
      init.clone = makeClone(init.clone);
      init.revertToPreviousContext = revertToPreviousContext;
    }
    installed = true;
  } catch {
    installed = false;
  }
  return installed;
}
