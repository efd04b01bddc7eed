/**
 * The libp2p host of a node: TCP, noise, yamux, identify, ping, gossipsub (scored on the heads topic), bootstrap
 * peers and optional mDNS. Builds the node only; what flows over it is decided by the replicator's parts. Must never
 * read or write the registry.
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
import { createTopicScoreParams, type PeerScoreParams } from '@libp2p/gossipsub/score';
import { libp2pPrivateKey } from './peer-ids.js';
import type { HostNode, ReplicatorOptions } from './replication-shared.js';

/** Creates (and starts) the host; `bootstrapList` holds the addresses already checked by parsePeerAddress. */
export async function createHost(seed: Uint8Array, opts: ReplicatorOptions, topic: string, bootstrapList: string[]): Promise<HostNode> {
  const privateKey = await libp2pPrivateKey(seed);
  const peerDiscovery = [];
  if (bootstrapList.length) peerDiscovery.push(bootstrap({ list: bootstrapList, timeout: 100 }));
  if (opts.mdns) peerDiscovery.push(mdns({ interval: 5_000 }));
  return (await createLibp2p({
    privateKey,
    addresses: { listen: [`/ip4/${opts.listenHost}/tcp/${opts.listenPort}`] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionManager: { maxConnections: opts.maxConnections },
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({ emitSelf: false, allowPublishToZeroTopicPeers: true, floodPublish: true, maxInboundDataLength: 256 * 1024, scoreParams: gossipScoreParams(topic) }),
    },
  })) as unknown as HostNode;
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
