// The CLI tests run the built CLI as a user would; build it from the current source first so that
// they never test a stale bundle.
import { execFileSync } from 'node:child_process';

export default function setup(): void {
  execFileSync(process.execPath, ['build.mjs', '--cli'], { stdio: 'inherit' });
}
