/**
 * Where others reach this node's HTTP API. The operator's `publicUrl` wins; otherwise the address the node listens
 * on, told once by the running node when its server is up (before that, the address the config asks for). Must never
 * change after it is told, and never guess a URL from a request's Host header (a client could choose it).
 */
import { RegistryError } from './errors.js';

export interface PublicUrlProvider {
  get(): string;
}

export class NodePublicUrl implements PublicUrlProvider {
  private listeningAt: string | null = null;

  constructor(
    private readonly configured: string | undefined,
    private readonly fallback: string,
  ) {}

  /** The running node says where its server listens; once. */
  listening(url: string): void {
    if (this.listeningAt !== null) throw new RegistryError('internal', 'the listening address was already set');
    this.listeningAt = url;
  }

  get(): string {
    return this.configured ?? this.listeningAt ?? this.fallback;
  }
}
