// Before the tests: build the CLI from the current source (the CLI tests run it as a user would),
// and start a Route53-compatible moto_server on a free loopback port for the DNS tests.
import { execFileSync } from 'node:child_process';
import type { TestProject } from 'vitest/node';
import { startMoto } from './servers.js';

declare module 'vitest' {
  export interface ProvidedContext {
    motoUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  execFileSync(process.execPath, ['build.mjs', '--cli'], { stdio: 'inherit' });
  const moto = await startMoto();
  project.provide('motoUrl', moto.url);
  return () => {
    moto.process.kill();
  };
}
