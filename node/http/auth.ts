/**
 * Admin authentication: `Authorization: Bearer <token>` checked against the hashed admin tokens.
 * 401 without credentials, 403 with a wrong token. Must never log the token.
 */
import type { RequestHandler } from 'express';
import type { AdminTokens } from '../store/admin-tokens.js';
import { sendProblem } from './problem.js';

export function requireAdmin(tokens: Pick<AdminTokens, 'verify'>): RequestHandler {
  return (req, res, next) => {
    const h = req.get('authorization');
    if (!h) {
      res.set('WWW-Authenticate', 'Bearer realm="mochila-admin"');
      return sendProblem(res, 401, 'unauthorized', { key: 'http.adminTokenRequired' });
    }
    const m = /^Bearer\s+(\S+)$/i.exec(h);
    if (!m || !tokens.verify(m[1]!)) return sendProblem(res, 403, 'forbidden', { key: 'http.adminTokenInvalid' });
    next();
  };
}
