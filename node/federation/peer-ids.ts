/**
 * A node's libp2p PeerId is its institution key: converting between PeerIds and did:key needs no lookup.
 * Pure functions; must never touch the network.
 */
import { generateKeyPairFromSeed, publicKeyFromRaw } from '@libp2p/crypto/keys';
import { peerIdFromPublicKey, peerIdFromString } from '@libp2p/peer-id';
import type { PeerId, PrivateKey } from '@libp2p/interface';
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
