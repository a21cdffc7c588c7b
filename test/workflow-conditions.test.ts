// plan.yml's comment job decides whether it runs by its `if:`: the condition is evaluated here by
// @actions/expressions, GitHub's published evaluator of the expression language (the one its
// language services use), with `needs` as the runner gives it: each declared output of a job is
// a string, empty when its step never set it, and a job's result is success, failure or skipped.
// The status function cancelled() is the runner's, not the library's: it is given here as GitHub's
// expressions reference describes it.
import { data, Evaluator, Lexer, Parser } from '@actions/expressions';
import type { FunctionDefinition } from '@actions/expressions/funcs/info';
import { truthy } from '@actions/expressions/result';
import { describe, expect, it } from 'vitest';
import { job } from './workflow-files.js';

type Result = 'success' | 'failure' | 'skipped';

/** GitHub's condition of a job: the expression inside `${{ }}` (a bare expression is one too). */
function evaluate(condition: string, needs: Record<string, { result: Result; outputs: Record<string, string> }>, cancelled = false) {
  const expression = /^\s*\$\{\{([\s\S]*)\}\}\s*$/.exec(condition)?.[1] ?? condition;
  const status: FunctionDefinition[] = [{ name: 'cancelled', minArgs: 0, maxArgs: 0, call: () => new data.BooleanData(cancelled) }];
  const lexed = new Lexer(expression).lex();
  const parsed = new Parser(lexed.tokens, ['needs'], status).parse();
  const dictionary = (entries: Record<string, string>) =>
    new data.Dictionary(...Object.entries(entries).map(([key, value]) => ({ key, value: new data.StringData(value) })));
  const context = new data.Dictionary({
    key: 'needs',
    value: new data.Dictionary(
      ...Object.entries(needs).map(([name, n]) => ({
        key: name,
        value: new data.Dictionary(
          { key: 'result', value: new data.StringData(n.result) },
          { key: 'outputs', value: dictionary(n.outputs) },
        ),
      })),
    ),
  });
  return truthy(new Evaluator(parsed, context, new Map(status.map((f) => [f.name, f]))).evaluate());
}

describe("plan.yml's comment job", () => {
  const condition = job('plan.yml', 'comment').if ?? '';
  const declared = Object.keys(job('plan.yml', 'matrix').outputs ?? {});
  /** The matrix job's outputs as the runner passes them on: every declared one, empty unless set. */
  const outputs = (set: Record<string, string>) => Object.fromEntries(declared.map((k) => [k, set[k] ?? '']));
  const runs = (matrix: Result, set: Record<string, string>, plan: Result = 'skipped', cancelled = false) =>
    evaluate(condition, { matrix: { result: matrix, outputs: outputs(set) }, plan: { result: plan, outputs: {} } }, cancelled);
  const valid = { valid: 'true' };

  it('reads the outputs the matrix job declares', () => {
    expect(declared).toEqual(expect.arrayContaining(['has-changes', 'valid', 'commented', 'cdn-wide']));
  });

  it('runs for a change to the zone alone, which plans nothing', () => {
    const cdnWide = 'cdn.zone_id changed: this concerns every region.';
    expect(runs('success', { ...valid, matrix: '{"include":[]}', 'has-changes': 'false', 'cdn-wide': cdnWide })).toBe(true);
  });

  it('does not run when there is nothing to plan and no comment to bring up to date', () => {
    expect(runs('success', { ...valid, matrix: '{"include":[]}', 'has-changes': 'false', commented: 'false' })).toBe(false);
    // Without a token the matrix step does not look for a comment, and commented stays unset.
    expect(runs('success', { ...valid, matrix: '{"include":[]}', 'has-changes': 'false' })).toBe(false);
  });

  it('runs when there is nothing to plan but a plan comment to bring up to date', () => {
    expect(runs('success', { ...valid, matrix: '{"include":[]}', 'has-changes': 'false', commented: 'true' })).toBe(true);
  });

  it('runs when a region is to be planned, whether its plan succeeded or failed', () => {
    const planned = { ...valid, matrix: '{"include":[{"region":"eu-west-1","operation":"plan","reason":"added"}]}', 'has-changes': 'true' };
    expect(runs('success', planned, 'success')).toBe(true);
    expect(runs('success', planned, 'failure')).toBe(true);
  });

  it('runs for invalid region files, which fail the matrix job', () => {
    expect(runs('failure', { valid: 'false', matrix: '{"include":[]}', 'has-changes': 'false' })).toBe(true);
  });

  it('runs when the matrix job failed before it said anything', () => {
    expect(runs('failure', {})).toBe(true);
  });

  it('does not run when the matrix job was skipped, or the run cancelled', () => {
    expect(runs('skipped', {})).toBe(false);
    expect(runs('success', { ...valid, 'has-changes': 'true' }, 'success', true)).toBe(false);
  });
});
