/**
 * libp2p over WebSocket on the node's own HTTP port, at a path its reverse proxy forwards (e.g. `/p2p`).
 * @libp2p/websockets 10 only listens on an HTTP server it creates itself (it cannot be given the node's), so libp2p
 * listens for WebSockets on 127.0.0.1 on a free port that is never announced, and the node's HTTP server hands it the
 * upgrade requests for that path: the raw socket is piped to that listener (one loopback hop, nothing parsed beyond
 * what Node's HTTP parser already checked). Also the dialling side: the transport that lets libp2p dial
 * `/ws/http-path/<path>` addresses, and the address a node announces for its path. Must never forward anything but a
 * WebSocket upgrade on its path, and never read the registry.
 */
import net from 'node:net';
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { webSockets } from '@libp2p/websockets';
import { WebSocket as NodeWebSocket } from 'ws';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';

/** Whether a request is a WebSocket upgrade for `path` (the query string, if any, is ignored). */
export function isUpgradeFor(req: IncomingMessage, path: string): boolean {
  if (req.method !== 'GET') return false;
  const upgrade = req.headers.upgrade;
  if (typeof upgrade !== 'string' || upgrade.toLowerCase() !== 'websocket') return false;
  const url = req.url ?? '';
  const q = url.indexOf('?');
  return (q < 0 ? url : url.slice(0, q)) === path;
}

/** Answers an upgrade request nobody takes with a status line and closes the socket (Node would drop it silently). */
export function refuseUpgrade(socket: Duplex, status: 404 | 429 | 503): void {
  const text = status === 404 ? 'Not Found' : status === 429 ? 'Too Many Requests' : 'Service Unavailable';
  socket.end(`HTTP/1.1 ${status} ${text}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`);
}

/**
 * Who sent an upgrade request: its socket's address, or, when that is a loopback address (a reverse proxy on this
 * machine, as express's `trust proxy: loopback` assumes for the API), the last address of its X-Forwarded-For.
 */
export function upgradeClient(req: IncomingMessage): string {
  const remote = (req.socket.remoteAddress ?? '').replace(/^::ffff:/, '');
  const fwd = req.headers['x-forwarded-for'];
  const loopback = remote === '::1' || remote.startsWith('127.');
  if (!loopback || typeof fwd !== 'string') return remote;
  const last = fwd.split(',').pop()!.trim();
  return net.isIP(last.replace(/^::ffff:/, '')) ? last.replace(/^::ffff:/, '') : remote;
}

/** How many WebSocket connections the gateway forwards: per client at once and a second, and in all at once. */
export interface UpgradeLimits {
  perClient: number;
  perClientPerSecond: number;
  total: number;
}

/**
 * Bounds what the gateway forwards. libp2p sees every forwarded connection as coming from 127.0.0.1, so its
 * per-address limits would lump every WebSocket peer together (one client opening five a second would lock all the
 * others out): the node exempts loopback from them (host.ts) and the gateway applies them per client instead.
 * `admit` returns the release to call when the forwarded socket closes, or null when the client is over a bound.
 */
export class UpgradeGate {
  private readonly open = new Map<string, number>();
  private readonly recent = new Map<string, { since: number; count: number }>();
  private total = 0;

  constructor(
    private readonly limits: UpgradeLimits,
    private readonly now: () => number = Date.now,
  ) {}

  admit(client: string): (() => void) | null {
    const t = this.now();
    let r = this.recent.get(client);
    if (!r || t - r.since >= 1_000) r = { since: t, count: 0 };
    const open = this.open.get(client) ?? 0;
    if (this.total >= this.limits.total || open >= this.limits.perClient || r.count >= this.limits.perClientPerSecond) return null;
    r.count++;
    this.recent.set(client, r);
    if (this.recent.size > 10_000) for (const [k, v] of this.recent) if (t - v.since >= 1_000) this.recent.delete(k);
    this.open.set(client, open + 1);
    this.total++;
    let released = false;
    return () => {
      if (released) return;
      released = true;
      this.total--;
      const n = (this.open.get(client) ?? 1) - 1;
      if (n > 0) this.open.set(client, n);
      else this.open.delete(client);
    };
  }
}

/**
 * Pipes an upgrade request's socket to libp2p's WebSocket listener on 127.0.0.1:`port`: the request line (path
 * rewritten to `/`, where that listener answers) and the headers as received, then any bytes already read, then both
 * ways. Either side closing or failing closes the other.
 */
export function forwardUpgrade(req: IncomingMessage, socket: Duplex, head: Buffer, port: number, onClose: () => void = () => {}): void {
  const upstream = net.connect({ host: '127.0.0.1', port });
  const close = () => {
    upstream.destroy();
    socket.destroy();
    onClose();
  };
  upstream.once('error', close);
  socket.once('error', close);
  upstream.once('close', close);
  socket.once('close', close);
  upstream.once('connect', () => {
    const lines = [`GET / HTTP/1.1`];
    for (let i = 0; i + 1 < req.rawHeaders.length; i += 2) lines.push(`${req.rawHeaders[i]}: ${req.rawHeaders[i + 1]}`);
    upstream.write(`${lines.join('\r\n')}\r\n\r\n`);
    if (head.length) upstream.write(head);
    socket.pipe(upstream);
    upstream.pipe(socket);
  });
}

/**
 * The address others dial to reach libp2p on `path` of the HTTP API at `url` (the node's public URL, or where it
 * listens): `https://reg.example.org` and `/p2p` give `/dns4/reg.example.org/tcp/443/wss/http-path/p2p`; a path
 * prefix in the URL (a reverse proxy that serves the node under `/mochila`) is kept.
 */
export function wsAddressFor(url: string, path: string): Multiaddr {
  const u = new URL(url);
  const secure = u.protocol === 'https:';
  if (!secure && u.protocol !== 'http:') throw new Error(`not an http(s) URL: ${url}`);
  const host = u.hostname.replace(/^\[|\]$/g, '');
  const kind = net.isIPv4(host) ? 'ip4' : net.isIPv6(host) ? 'ip6' : 'dns';
  const port = u.port || (secure ? '443' : '80');
  const fullPath = `${u.pathname.replace(/\/+$/, '')}${path}`.slice(1);
  return multiaddr(`/${kind}/${host}/tcp/${port}/${secure ? 'wss' : 'ws'}/http-path/${encodeURIComponent(fullPath)}`);
}

/** The address without its `/http-path/…` (what the stock transport's filters recognise). */
function withoutHttpPath(ma: Multiaddr): Multiaddr {
  return multiaddr(ma.getComponents().filter((c) => c.name !== 'http-path'));
}

/** Whether an address is a WebSocket one that names a path (`…/ws/http-path/p2p`). */
export function hasHttpPath(ma: Multiaddr): boolean {
  return ma.getComponents().some((c) => c.name === 'http-path');
}

/**
 * @libp2p/websockets, also for addresses with `/http-path/<path>` (its filters refuse them, though its dialler opens
 * the WebSocket on that path). Everything else is the stock transport's.
 */
export function webSocketsWithPath(): ReturnType<typeof webSockets> {
  // its dialler opens the global WebSocket, which Node 20 lacks (Node 22 has one): the `ws` package's, same API
  const g = globalThis as { WebSocket?: unknown };
  g.WebSocket ??= NodeWebSocket;
  const make = webSockets();
  return (components) => {
    const t = make(components);
    const wrapped = Object.create(t) as typeof t;
    wrapped.dialFilter = (addrs: Multiaddr[]) => addrs.filter((a) => t.dialFilter([withoutHttpPath(a)]).length > 0);
    return wrapped;
  };
}
