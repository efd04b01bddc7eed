/**
 * LinkedIn's "Add to profile" link for a certification: https://www.linkedin.com/profile/add with startTask=
 * CERTIFICATION_NAME and the certification's fields (name, organizationName, issueYear, issueMonth, optional
 * expirationYear / expirationMonth, certUrl, certId), built with URLSearchParams so every value is encoded. Pure.
 * Must never put a certUrl that is not an absolute http(s) URL (safe-url rule) into the link.
 */
import { safeHttpUrl } from './safe-url.js';

export const LINKEDIN_ADD = 'https://www.linkedin.com/profile/add';

export interface LinkedInCertification {
  name: string;
  organizationName: string;
  /** ISO 8601 date-time of issuance. */
  issuedAt: string;
  /** ISO 8601 date-time the credential expires, if it does. */
  validUntil?: string | null;
  /** Where the certification can be checked (the share page when published, else the verification page). */
  certUrl: string;
  certId: string;
}

function yearMonth(iso: string | null | undefined): { year: string; month: string } | null {
  if (typeof iso !== 'string') return null;
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return null;
  return { year: String(d.getUTCFullYear()), month: String(d.getUTCMonth() + 1) };
}

export function linkedInAddUrl(c: LinkedInCertification): string {
  const p = new URLSearchParams();
  p.set('startTask', 'CERTIFICATION_NAME');
  p.set('name', c.name.slice(0, 300));
  p.set('organizationName', c.organizationName.slice(0, 300));
  const issued = yearMonth(c.issuedAt);
  if (issued) {
    p.set('issueYear', issued.year);
    p.set('issueMonth', issued.month);
  }
  const expires = yearMonth(c.validUntil);
  if (expires) {
    p.set('expirationYear', expires.year);
    p.set('expirationMonth', expires.month);
  }
  const url = safeHttpUrl(c.certUrl);
  if (url) p.set('certUrl', url);
  p.set('certId', c.certId.slice(0, 300));
  return `${LINKEDIN_ADD}?${p.toString()}`;
}
