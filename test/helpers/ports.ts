/**
 * A TCP port free on this machine at the time of asking, for a child process that must be told its port.
 *
 * Drawn at random below Linux's ephemeral range (32768–60999), not from the OS's `listen(0)`: a port the OS just
 * handed out and we released is the very port it hands to the next `listen(0)` elsewhere in the suite (libp2p nodes,
 * SMTP servers), which made two test files collide once under load. Each candidate is checked by binding it on every
 * interface; ports already given out by this process are not given again.
 */
import { createServer } from 'node:net';

const given = new Set<number>();

function bindable(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const srv = createServer();
    srv.once('error', () => resolve(false));
    srv.listen(port, '0.0.0.0', () => srv.close(() => resolve(true)));
  });
}

export async function freePort(): Promise<number> {
  for (let i = 0; i < 200; i++) {
    const port = 20_000 + Math.floor(Math.random() * 12_000);
    if (given.has(port)) continue;
    if (await bindable(port)) {
      given.add(port);
      return port;
    }
  }
  throw new Error('no free TCP port found in 20000–31999 after 200 tries');
}
