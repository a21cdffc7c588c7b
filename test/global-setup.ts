// Before the tests: build the CLI from the current source (the CLI tests run it as a user would),
// and start a Route53-compatible moto_server on a free loopback port for the DNS tests.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    motoUrl: string;
  }
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return typeof address === 'object' && address ? address.port : 0;
}

let moto: ChildProcess | undefined;

export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  execFileSync(process.execPath, ['build.mjs', '--cli'], { stdio: 'inherit' });
  const port = await freePort();
  moto = spawn('moto_server', ['-H', '127.0.0.1', '-p', String(port)], { stdio: 'ignore' });
  const url = `http://127.0.0.1:${port}`;
  const failed = new Promise<never>((_, reject) =>
    moto?.on('error', (e) => reject(new Error(`moto_server could not start: ${e.message}`))),
  );
  for (let i = 0; ; i++) {
    const up = await Promise.race([
      fetch(`${url}/moto-api/`).then(
        () => true,
        () => false,
      ),
      failed,
    ]);
    if (up) break;
    if (i > 150) throw new Error('moto_server did not answer within 30 s');
    await sleep(200);
  }
  project.provide('motoUrl', url);
  return async () => {
    moto?.kill();
    await sleep(0);
  };
}
