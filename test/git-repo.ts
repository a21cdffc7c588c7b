// A throwaway git repository holding region files, for tests of change detection.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { VALID, type Files } from './fixtures.js';

export class Repo {
  readonly root = mkdtempSync(path.join(tmpdir(), 'kubecdn-repo-'));

  constructor() {
    this.git('init', '-q', '-b', 'main');
    this.git('config', 'user.email', 'test@example.com');
    this.git('config', 'user.name', 'test');
  }

  git(...args: string[]): string {
    return execFileSync('git', args, { cwd: this.root, encoding: 'utf8' });
  }

  write(file: string, text: string): this {
    mkdirSync(path.dirname(path.join(this.root, file)), { recursive: true });
    writeFileSync(path.join(this.root, file), text);
    return this;
  }

  regions(files: Files): this {
    const all = { ...VALID, ...files };
    return this.write('regions/always-on.yaml', all.alwaysOn)
      .write('regions/scalable.yaml', all.scalable)
      .write('regions/cdn.yaml', all.cdn);
  }

  commit(message: string): this {
    this.git('add', '-A');
    this.git('commit', '-q', '-m', message);
    return this;
  }
}
