/**
 * Programmes: a microcredential whose catalogue record names the modules it stacks from (`stackability.stacksFrom`)
 * is issued only to a learner who presents a credential in force of every module. Each presented module credential
 * is verified against this node's replica (whoever issued it: proof, issuer key trust, status, validity dates, OB 3.0
 * schema, listing — every check `ok`), must be a credential of one of the modules (at `minVersion` or later) and must
 * name the same learner (see `sameLearner`). What passes becomes the badge's links to its modules (ob3.ts
 * `moduleEvidence`). Must never accept a module credential the verifier did not fully verify, never read this node's
 * own issued credentials (a module counts on what the network knows), and never sign or store anything.
 */
import { RegistryError } from '../core/errors.js';
import { userError } from '../core/messages/index.js';
import { identityHash, microcredentialIdFromUri, primaryText, type LangMap, type ModuleCredentialLink } from './ob3.js';
import type { VerificationReport } from './verify.js';

/** A module as a programme's catalogue record names it. */
export interface ProgrammeModule {
  id: string;
  name?: LangMap;
  minVersion?: number;
}

/** Most module credentials a learner may present at once (the schema's bound on `stacksFrom`). */
export const MAX_PRESENTED_MODULES = 20;

export interface ModuleCheckInput {
  /** The programme's network-wide id (for messages). */
  programme: string;
  /** Its `stackability.stacksFrom`. */
  modules: readonly ProgrammeModule[];
  /** The module credentials as the learner presented them (hostile: anything). */
  presented: unknown;
  /** The learner the badge is for (as in the issue request). */
  learner: { did?: string; email?: string };
  /** The replica verifier. */
  verify: (credential: unknown) => Promise<VerificationReport>;
  /** A module's title from the replica's catalogue, when the programme record does not name it. */
  titleOf?: (moduleId: string) => string | undefined;
}

/** Why a presented credential does not count, as the refusal reports it. */
export interface FailedModule {
  /** The presented credential's position in the request (0-based) and id, when it has one. */
  index: number;
  credential?: string;
  /** The module it is a credential of, when that could be read. */
  module?: string;
  reasons: string[];
}

/**
 * The identity rule: a module credential is the learner's when its `credentialSubject.id` is the learner's DID, or
 * when one of its hashed e-mail identifiers (OB 3.0 IdentityObject, `emailAddress`) is the hash of the learner's
 * e-mail with that identifier's salt. Names are never compared (they are written differently from one unit to
 * another); a learner known by e-mail to one unit and by DID to another cannot stack those credentials.
 */
export function sameLearner(credential: Record<string, unknown>, learner: { did?: string; email?: string }): boolean {
  const subjects = Array.isArray(credential['credentialSubject']) ? credential['credentialSubject'] : [credential['credentialSubject']];
  for (const s of subjects) {
    if (!s || typeof s !== 'object') continue;
    const subject = s as { id?: unknown; identifier?: unknown };
    if (learner.did && subject.id === learner.did) return true;
    if (!learner.email) continue;
    const ids = Array.isArray(subject.identifier) ? subject.identifier : [subject.identifier];
    for (const i of ids) {
      if (!i || typeof i !== 'object') continue;
      const { identityType, hashed, identityHash: hash, salt } = i as Record<string, unknown>;
      if (identityType !== 'emailAddress' || hashed !== true || typeof hash !== 'string' || typeof salt !== 'string') continue;
      if (salt.length > 200) continue;
      if (identityHash(learner.email, salt) === hash) return true;
    }
  }
  return false;
}

function moduleOf(credential: Record<string, unknown>, report: VerificationReport): { id: string | null; version: number | null } {
  const subject = (Array.isArray(credential['credentialSubject']) ? credential['credentialSubject'][0] : credential['credentialSubject']) as
    | { achievement?: { id?: unknown; version?: unknown } }
    | undefined;
  const achievementId = typeof subject?.achievement?.id === 'string' ? subject.achievement.id : null;
  const id = report.microcredential?.globalId ?? (achievementId ? microcredentialIdFromUri(achievementId) : null);
  const v = subject?.achievement?.version;
  const version = typeof v === 'string' || typeof v === 'number' ? Number(v) : NaN;
  return { id, version: Number.isInteger(version) && version > 0 ? version : null };
}

/**
 * Checks the presented module credentials against the programme's modules. Returns the links to put in the badge
 * (one per module, in the programme's order); throws `programme_modules_not_held` naming every module without a
 * credential that counts and why each presented credential did not count.
 */
export async function checkModules(input: ModuleCheckInput): Promise<ModuleCredentialLink[]> {
  const { presented, modules } = input;
  if (presented !== undefined && !Array.isArray(presented)) throw new RegistryError('validation_failed', 'modules must be an array of module credentials');
  const list = (presented ?? []) as unknown[];
  if (list.length > MAX_PRESENTED_MODULES) throw new RegistryError('validation_failed', `at most ${MAX_PRESENTED_MODULES} module credentials can be presented at once`);
  const wanted = new Map(modules.map((m) => [m.id, m]));
  const held = new Map<string, ModuleCredentialLink>();
  const failed: FailedModule[] = [];
  for (const [index, c] of list.entries()) {
    if (!c || typeof c !== 'object' || Array.isArray(c)) {
      failed.push({ index, reasons: ['not a credential object'] });
      continue;
    }
    const credential = c as Record<string, unknown>;
    const credentialId = typeof credential['id'] === 'string' ? credential['id'].slice(0, 300) : undefined;
    const report = await input.verify(credential);
    const mod = moduleOf(credential, report);
    const reasons: string[] = [];
    if (report.kind !== 'credential') reasons.push('a presentation, not a credential: present each module credential itself');
    else if (!report.verified)
      for (const check of report.checks) if (check.status !== 'ok') reasons.push(`${check.id} ${check.status}: ${check.reason}`);
    const module = mod.id ? wanted.get(mod.id) : undefined;
    if (!mod.id) reasons.push('names no microcredential of the network catalogue');
    else if (!module) reasons.push(`is a credential of ${mod.id}, which is not a module of ${input.programme}`);
    else if (module.minVersion && (mod.version === null || mod.version < module.minVersion))
      reasons.push(`is a credential of version ${mod.version ?? '?'} of ${mod.id}; the programme counts version ${module.minVersion} or later`);
    if (!sameLearner(credential, input.learner)) reasons.push("does not name this learner (neither the learner's DID nor the hash of the learner's e-mail)");
    if (reasons.length) {
      failed.push({ index, ...(credentialId ? { credential: credentialId } : {}), ...(mod.id ? { module: mod.id } : {}), reasons });
      continue;
    }
    if (held.has(mod.id!)) continue; // a second credential of the same module adds nothing
    held.set(mod.id!, {
      credentialId: credentialId ?? '',
      achievementId: report.microcredential?.achievementId ?? report.credential?.achievement?.id ?? '',
      microcredentialId: mod.id!,
      name: report.credential?.achievement?.name ?? primaryText(module!.name) ?? mod.id!,
      issuerName: report.credential?.issuerName ?? report.issuer?.name ?? report.credential?.issuer ?? '',
      issuedAt: report.credential?.validFrom ?? '',
    });
  }
  const missing = modules.filter((m) => !held.has(m.id));
  if (missing.length) {
    const label = (m: ProgrammeModule) => `${primaryText(m.name) ?? input.titleOf?.(m.id) ?? m.id} (${m.id})`;
    const why = failed.map((f) => `${f.credential ?? `credential #${f.index + 1}`}${f.module ? ` [${f.module}]` : ''}: ${f.reasons.join('; ')}`);
    // the sentence in the asker's language (node/core/messages); the verifier's reasons stay as it wrote them
    throw userError(
      'programme_modules_not_held',
      'programme.modulesNotHeld',
      { programme: input.programme, missing: missing.map(label).join(', '), notCounted: why.length ? ` ${why.join(' | ')}` : '' },
      { missing: missing.map((m) => ({ id: m.id, name: primaryText(m.name) ?? input.titleOf?.(m.id) ?? m.id })), failed },
    );
  }
  return modules.map((m) => held.get(m.id)!);
}
