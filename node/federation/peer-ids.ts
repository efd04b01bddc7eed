/**
 * A node's libp2p PeerId is its institution key: converting between PeerIds and did:key needs no lookup. Also the
 * one parser of configured peer addresses. Pure functions; must never touch the network.
 */
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id';
import type { PeerId, PrivateKey } from '@libp2p/interface';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { publicKeyFromDid, publicKeyToDid } from '../identity/keys.js';

export function didToPeerId(did: string): PeerId {
  return peerIdFromPublicKey(publicKeyFromRaw(publicKeyFromDid(did)));
}

export function peerIdToDid(peer: PeerId | string): string | null {
  const p = typeof peer === 'string' ? peerIdFromString(peer) : peer;
  const raw = p.publicKey?.raw;
  if (!raw || p.type !== 'Ed25519') return null;
  return publicKeyToDid(raw);
}

export function libp2pPrivateKey(seed: Uint8Array): Promise<PrivateKey> {
  return generateKeyPairFromSeed('Ed25519', seed);
}

/**
 * A peer address as configured (`--bootstrap`, node.json, the manifest): a TCP multiaddr that ends in the peer's
 * `/p2p/<peer id>`, e.g. `/ip4/203.0.113.7/tcp/9090/p2p/12D3KooW…` (or `/dns4/node.example.org/tcp/9090/p2p/…`), or
 * libp2p over WebSocket on a node's HTTP(S) port, at the path its reverse proxy forwards:
 * `/dns4/node.example.org/tcp/443/wss/http-path/p2p/p2p/12D3KooW…` (`/ws` without TLS, `/http-path/<path>` optional:
 * without it the WebSocket is opened on `/`). Throws an Error saying what is wrong with it; never dials.
 */
/** What may come between `/tcp/<port>` and `/p2p/<id>` in a configured address: nothing (TCP), or WebSocket. */
const PEER_TRANSPORTS = new Set(['', 'ws', 'wss', 'tls/ws', 'ws/http-path', 'wss/http-path', 'tls/ws/http-path']);

export function parsePeerAddress(address: string): { address: Multiaddr; peerId: PeerId } {
  let ma: Multiaddr;
  try {
    ma = multiaddr(address);
  } catch (e) {
    throw new Error(`not a multiaddr (${(e as Error).message})`, { cause: e });
  }
  const parts = ma.getComponents();
  const p2p = parts.filter((c) => c.name === 'p2p');
  if (p2p.length !== 1 || parts[parts.length - 1]!.name !== 'p2p') throw new Error('it must end in /p2p/<peer id> (the peer id of the node it names)');
  let peerId: PeerId;
  try {
    peerId = peerIdFromString(p2p[0]!.value!);
  } catch (e) {
    throw new Error(`its peer id ${p2p[0]!.value} is not valid (${(e as Error).message})`, { cause: e });
  }
  if (!['ip4', 'ip6', 'dns', 'dns4', 'dns6'].includes(parts[0]!.name) || parts[1]?.name !== 'tcp')
    throw new Error('it must start with /ip4/, /ip6/ or /dns4/<host> and then /tcp/<port> (TCP, or WebSocket over TCP)');
  const transport = parts.slice(2, -1).map((c) => c.name).join('/');
  if (!PEER_TRANSPORTS.has(transport))
    throw new Error(`after /tcp/<port> it must go on with /p2p/<peer id> (TCP), /ws or /wss (WebSocket), optionally followed by /http-path/<path>; not /${transport}`);
  return { address: ma, peerId };
}

/** The address with this peer's `/p2p/<id>` at the end (added when missing); null when it names another peer. */
export function dialableFor(peer: PeerId, address: Multiaddr): Multiaddr | null {
  const named = address.getComponents().filter((c) => c.name === 'p2p');
  if (named.length === 0) return address.encapsulate(`/p2p/${peer.toString()}`);
  return named.length === 1 && named[0]!.value === peer.toString() ? address : null;
}
