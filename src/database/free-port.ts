import { createServer } from 'node:net';

function isFree(port: number, host: string): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/**
 * A free TCP port below the ephemeral range (outgoing connections use 32768+ and could take ours between
 * the check and the server's bind).
 */
export async function findFreePort(host = '127.0.0.1', from = 20000, to = 32000): Promise<number> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const port = from + Math.floor(Math.random() * (to - from));
    if (await isFree(port, host)) return port;
  }
  throw new Error(`No free TCP port found between ${from} and ${to} on ${host}`);
}
