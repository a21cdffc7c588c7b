// What a pull request of the working tree would show, for the terminal and as the comment's Markdown.
import type { LoadResult } from './config.js';
import { problemsToMarkdown, problemsToText, regionsToMarkdown, regionsToText, plain, type Style } from './render.js';

export const COMMENT_TITLE = '## kubeCDN plan';

export function renderPreviewMarkdown(result: LoadResult): string {
  return [
    COMMENT_TITLE,
    '',
    '### Region files',
    problemsToMarkdown(result.problems),
    ...(result.config ? ['', '### Regions after this change', regionsToMarkdown(result.config)] : []),
  ].join('\n');
}

export function renderPreviewText(result: LoadResult, style: Style = plain): string {
  return [
    style.bold('Region files'),
    problemsToText(result.problems, style),
    ...(result.config ? ['', style.bold('Regions after this change'), regionsToText(result.config, style)] : []),
  ].join('\n');
}
