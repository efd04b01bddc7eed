/**
 * Shapes of the admin API responses the admin pages read.
 */
import type { McRecord } from '../../types.js';

export type OwnMc = McRecord & { id: string; status: string; updatedAt: string };

export interface Issued {
  id: string;
  credential: unknown;
  verifyUrl: string;
  qrUrl: string;
  status?: unknown;
}

export interface Job {
  id: string;
  state: string;
  total: number;
  processed: number;
  issued: number;
  skipped: number;
  failed: number;
  rows: { line: number; status: string; id?: string; error?: string }[];
}

export interface IssuedItem {
  id: string;
  microcredential: string;
  learnerName: string;
  issuedAt: string;
  status: { revoked: boolean; suspended: boolean };
}
