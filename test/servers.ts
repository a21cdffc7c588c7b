// Local servers the tests and benchmarks start: a free loopback port, and moto_server on one.
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

/** Starts a Route53-compatible moto_server on a free loopback port and waits until it answers. */
export async function startMoto(): Promise<{ url: string; process: ChildProcess }> {
  const port = await freePort();
  const moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const failed = new Promise<never>((_, reject) => moto.on('error', (e) => reject(new Error(`moto_server could not start: ${e.message}`))));
  for (let i = 0; ; i++) {
    const up = await Promise.race([
      fetch(`${url}/moto-api/`).then(
        () => true,
        () => false,
      ),
      failed,
    ]);
    if (up) return { url, process: moto };
    if (i > 150) throw new Error('moto_server did not answer within 30 s');
    await sleep(200);
  }
}
