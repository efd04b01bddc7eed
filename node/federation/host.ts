/**
 * The libp2p host of a node: TCP, WebSocket (on the node's HTTP port, ws-gateway.ts) and circuit relay v2 transports,
 * noise, yamux, identify, ping, DCUtR, gossipsub (scored on the heads topic), bootstrap peers and optional mDNS; a
 * reachable member relays for other members only (bounded reservations), a node with no listener reserves a slot on
 * one. Builds the node only; what flows over it is decided by the replicator's parts. Must never read or write the
 * registry.
 */
import { createLibp2p } from 'libp2p';
import { tcp } from '@libp2p/tcp';
import { noise } from '@chainsafe/libp2p-noise';
import { yamux } from '@chainsafe/libp2p-yamux';
import { identify } from '@libp2p/identify';
import { ping } from '@libp2p/ping';
import { bootstrap } from '@libp2p/bootstrap';
import { mdns } from '@libp2p/mdns';
import { gossipsub } from '@libp2p/gossipsub';
import { circuitRelayServer, circuitRelayTransport } from '@libp2p/circuit-relay-v2';
import { dcutr } from '@libp2p/dcutr';
import type { PeerId } from '@libp2p/interface';
import { peerIdFromPrivateKey } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { createTopicScoreParams, type PeerScoreParams } from '@libp2p/gossipsub/score';
import { libp2pPrivateKey } from './peer-ids.js';
import { hasHttpPath, webSocketsWithPath } from './ws-gateway.js';
import type { HostNode, ReplicatorOptions } from './replication-shared.js';

/** What the host asks of the replicator while it runs. */
export interface HostHooks {
  /** Whether a peer may reserve a relay slot here, or be either end of a connection relayed here (members only). */
  mayReserve(peer: PeerId): boolean;
  /** Whether a peer whose id an inbound connection has just authenticated may stay, given the peers connected now. */
  mayConnect(peer: PeerId, connected: readonly PeerId[]): boolean;
  /** The WebSocket address others dial (`…/ws/http-path/p2p`), once the HTTP server listens; null before. */
  wsAnnounce(): string | null;
  /** Told the port of the unannounced WebSocket listener on 127.0.0.1 (ws-gateway.ts forwards to it). */
  wsListening(port: number): void;
}

/** The listener libp2p opens for WebSocket: only the node's HTTP server reaches it (never announced). */
const WS_INTERNAL_LISTEN = '/ip4/127.0.0.1/tcp/0/ws';

/**
 * Creates (and starts) the host; `bootstrapList` holds the addresses already checked by parsePeerAddress. Listens on
 * TCP unless `tcpListen` is false; on the internal WebSocket listener when `wsPath` is set; and, with neither a TCP
 * listener nor WebSocket, through a relay slot on a member (`/p2p-circuit`). Every node can dial all three.
 */
export async function createHost(seed: Uint8Array, opts: ReplicatorOptions, topic: string, bootstrapList: string[], hooks: HostHooks): Promise<HostNode> {
  const privateKey = await libp2pPrivateKey(seed);
  const self = peerIdFromPrivateKey(privateKey).toString();
  const peerDiscovery = [];
  if (bootstrapList.length) peerDiscovery.push(bootstrap({ list: bootstrapList, timeout: 100 }));
  if (opts.mdns) peerDiscovery.push(mdns({ interval: 5_000 }));
  const listen: string[] = [];
  if (opts.tcpListen) listen.push(`/ip4/${opts.listenHost}/tcp/${opts.listenPort}`);
  if (opts.wsPath) listen.push(WS_INTERNAL_LISTEN);
  const reserve = !opts.tcpListen && !opts.wsPath;
  if (reserve) listen.push('/p2p-circuit');
  const relays = opts.relay && !reserve;
  const node = (await createLibp2p({
    privateKey,
    start: false,
    addresses: { listen, announceFilter: (addrs) => announced(addrs, hooks.wsAnnounce(), self) },
    transports: [tcp(), webSocketsWithPath(), circuitRelayTransport({ reservationCompletionTimeout: 10_000 })],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    // with the WebSocket path every WebSocket peer arrives from 127.0.0.1 (ws-gateway.ts): libp2p's per-address limits
    // would lump them together, so loopback is exempt from them and the gateway bounds each client instead
    connectionManager: { maxConnections: opts.maxConnections, ...(opts.wsPath ? { allow: ['/ip4/127.0.0.1/ipcidr/32', '/ip6/::1/ipcidr/128'] } : {}) },
    // a relay slot here is for members only, and so is a connection through it: without the second rule any peer
    // could open relayed connections (each up to the relay's data and time limits) to a member holding a slot
    connectionGater: {
      denyInboundRelayReservation: (peer: PeerId) => Promise.resolve(!hooks.mayReserve(peer)),
      denyOutboundRelayedConnection: (source: PeerId, destination: PeerId) => Promise.resolve(!hooks.mayReserve(source) || !hooks.mayReserve(destination)),
      // and this node takes a relayed connection only from a member through a member: a slot it holds on any other
      // relay (a bootstrap peer that is not a member) must not let anyone reach it, nor have DCUtR dial what they claim
      denyInboundRelayedConnection: (relay: PeerId, remote: PeerId) => Promise.resolve(!hooks.mayReserve(relay) || !hooks.mayReserve(remote)),
      // connections from peers that are not members are bounded apart, so they cannot fill maxConnections
      denyInboundEncryptedConnection: (peer: PeerId) => Promise.resolve(!hooks.mayConnect(peer, node.getConnections().map((c) => c.remotePeer))),
    },
    services: {
      identify: identify(),
      ping: ping(),
      dcutr: dcutr(),
      ...(relays
        ? {
            relay: circuitRelayServer({
              reservations: {
                maxReservations: opts.relayMaxReservations,
                applyDefaultLimit: true,
                defaultDurationLimit: opts.relayDurationLimitMs,
                defaultDataLimit: BigInt(opts.relayDataLimitBytes),
              },
            }),
          }
        : {}),
      // heads are announced over relayed (limited) connections too: a member behind a firewall hears them at once
      pubsub: gossipsub({ emitSelf: false, allowPublishToZeroTopicPeers: true, floodPublish: true, maxInboundDataLength: 256 * 1024, scoreParams: gossipScoreParams(topic), runOnLimitedConnection: true }),
    },
  })) as unknown as HostNode;
  node.addEventListener('transport:listening', (e) => {
    for (const a of e.detail.getAddrs()) if (isInternalWs(a)) hooks.wsListening(Number(a.getComponents().find((c) => c.name === 'tcp')?.value));
  });
  await node.start();
  return node;
}

/** The internal WebSocket listener's address (127.0.0.1, /ws, no path): never announced. */
function isInternalWs(a: Multiaddr): boolean {
  const parts = a.getComponents();
  const names = parts.map((c) => c.name);
  return names.includes('ws') && !hasHttpPath(a) && !names.includes('p2p-circuit') && parts[0]?.name === 'ip4' && parts[0].value === '127.0.0.1';
}

/** What the node announces: its listen addresses with the internal WebSocket listener replaced by the public path. */
function announced(addrs: Multiaddr[], ws: string | null, self: string): Multiaddr[] {
  const out = addrs.filter((a) => !isInternalWs(a));
  if (ws && addrs.some(isInternalWs)) out.push(multiaddr(`${ws}/p2p/${self}`));
  return out;
}

/**
 * Gossipsub peer scoring on the heads topic: only invalid messages (those onGossip rejects) count against a peer, by
 * the square of their decaying count: three cost -9 (no more gossip to it below -10), eight -64 (no more flood
 * publishing, below -50), nine -81 (graylisted, below -80: its messages are dropped before validation). The count
 * decays by 10% a second, so a peer stays below the graylist only while it sends less than about one message we
 * reject a second, and an honest peer that relayed a few we refused (membership not yet agreed) is forgiven within
 * half a minute. Mesh delivery rates are not scored (announcements are rare: a quiet honest peer must not
 * look like a failing one), nor is IP colocation (institutions behind one NAT, and test networks on 127.0.0.1).
 */
function gossipScoreParams(topic: string): Partial<PeerScoreParams> {
  return {
    IPColocationFactorWeight: 0,
    topics: {
      [topic]: createTopicScoreParams({
        topicWeight: 1,
        timeInMeshWeight: 0,
        firstMessageDeliveriesWeight: 0,
        meshMessageDeliveriesWeight: 0,
        meshFailurePenaltyWeight: 0,
        invalidMessageDeliveriesWeight: -1,
        invalidMessageDeliveriesDecay: 0.9,
      }),
    },
  };
}
