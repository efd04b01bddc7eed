// A bad bootstrap address is refused when the configuration is read (the CLI's `start` reads it first), with a
// message that names the address and what is wrong, instead of a late libp2p error ("Incorrect length").
import { afterAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { loadConfig } from '../../node/config.js';
import { RegistryError } from '../../node/core/errors.js';
import { generateKey } from '../../node/identity/keys.js';
import { didToPeerId } from '../../node/federation/peer-ids.js';

const dir = mkdtempSync(path.join(tmpdir(), 'mochila-config-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
const peer = didToPeerId(generateKey().did).toString();

function refusal(f: () => unknown): RegistryError {
  try {
    f();
  } catch (e) {
    expect(e).toBeInstanceOf(RegistryError);
    return e as RegistryError;
  }
  throw new Error('the configuration was accepted');
}

describe('bootstrap addresses in the configuration', () => {
  it.each([
    ['a truncated peer id', `/ip4/127.0.0.1/tcp/9090/p2p/${peer.slice(0, 20)}`, /peer id .* is not valid/],
    ['no peer id', '/ip4/127.0.0.1/tcp/9090', /must end in \/p2p\/<peer id>/],
    ['not a multiaddr', '127.0.0.1:9090', /not a multiaddr/],
    ['no TCP port', `/ip4/127.0.0.1/p2p/${peer}`, /\/tcp\/<port>/],
    ['a transport this node does not speak', `/ip4/127.0.0.1/udp/9090/quic-v1/p2p/${peer}`, /\/tcp\/<port>/],
  ])('refuses %s with a message naming the address', (_what, address, why) => {
    const e = refusal(() => loadConfig(dir, { bootstrap: [address] }, {}));
    expect(e.code).toBe('validation_failed');
    expect(e.message).toContain(`invalid bootstrap address "${address}"`);
    expect(e.message).toMatch(why);
  });

  it('refuses them from the environment and node.json too', () => {
    expect(refusal(() => loadConfig(dir, {}, { MOCHILA_BOOTSTRAP: `/ip4/127.0.0.1/tcp/9090/p2p/${peer},/ip4/10.0.0.1/tcp/9090/p2p/xyz` })).message).toContain('"/ip4/10.0.0.1/tcp/9090/p2p/xyz"');
    writeFileSync(path.join(dir, 'node.json'), JSON.stringify({ bootstrap: `/ip4/127.0.0.1/tcp/9090/p2p/${peer}` }));
    expect(refusal(() => loadConfig(dir, {}, {})).message).toMatch(/bootstrap must be a list/);
    rmSync(path.join(dir, 'node.json'));
  });

  it('accepts TCP addresses with the peer id (IPv4, IPv6, DNS)', () => {
    const list = [`/ip4/203.0.113.7/tcp/9090/p2p/${peer}`, `/ip6/::1/tcp/9090/p2p/${peer}`, `/dns4/node.example.org/tcp/9090/p2p/${peer}`];
    expect(loadConfig(dir, { bootstrap: list }, {}).bootstrap).toEqual(list);
  });
});
