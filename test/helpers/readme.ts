/** README.md as tests read it: the text of a section, and its ```sh blocks (the README is the source of the commands). */
import { readFileSync } from 'node:fs';
import path from 'node:path';

const README = readFileSync(path.resolve(__dirname, '../../README.md'), 'utf8');

/** The text of the section under a heading (any level), up to the next heading; fenced code does not end it. */
export function readmeSection(heading: string): string {
  const lines = README.split('\n');
  const start = lines.findIndex((l) => /^#{1,6} /.test(l) && l.replace(/^#+ /, '').trim() === heading);
  if (start < 0) throw new Error(`README has no section "${heading}"`);
  const out: string[] = [];
  let fenced = false;
  for (const l of lines.slice(start + 1)) {
    if (l.startsWith('```')) fenced = !fenced;
    if (!fenced && /^#{1,6} /.test(l)) break;
    out.push(l);
  }
  return out.join('\n');
}

/** The ```sh blocks of a section, as written. */
export function readmeShBlocks(heading: string): string[] {
  return [...readmeSection(heading).matchAll(/^```sh\n([\s\S]*?)^```$/gm)].map((m) => m[1]!);
}
