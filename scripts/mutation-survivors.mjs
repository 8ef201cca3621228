#!/usr/bin/env node
/**
 * Prints Stryker's JSON report (reports/mutation/mutation.json) as the markdown docs/testing.md
 * keeps: the score per file and every surviving or uncovered mutant (file:line, mutator, the
 * replacement). `node scripts/mutation-survivors.mjs [report.json]`.
 */
import { readFileSync } from 'node:fs';

const report = JSON.parse(
  readFileSync(process.argv[2] ?? 'reports/mutation/mutation.json', 'utf8'),
);
const DETECTED = new Set(['Killed', 'Timeout']);
const UNDETECTED = new Set(['Survived', 'NoCoverage']);
const rows = [];
const left = [];
let detected = 0;
let undetected = 0;
for (const [file, { mutants }] of Object.entries(report.files).sort()) {
  const d = mutants.filter((m) => DETECTED.has(m.status)).length;
  const u = mutants.filter((m) => UNDETECTED.has(m.status)).length;
  const ignored = mutants.filter((m) => m.status === 'Ignored').length;
  detected += d;
  undetected += u;
  const score = d + u === 0 ? 'n/a' : `${((100 * d) / (d + u)).toFixed(1)} %`;
  rows.push(`| \`${file}\` | ${score} | ${d} | ${u} | ${ignored} |`);
  for (const m of mutants.filter((x) => UNDETECTED.has(x.status)))
    left.push(
      `| \`${file}:${m.location.start.line}\` | ${m.mutatorName} | ${m.status} | \`${String(
        m.replacement ?? '',
      )
        .replace(/\s+/g, ' ')
        .replace(/\|/g, '\\|')
        .slice(0, 70)}\` |`,
    );
}
const total = ((100 * detected) / (detected + undetected)).toFixed(2);
console.log(
  `Mutation score: **${total} %** (${detected} detected of ${detected + undetected}).\n`,
);
console.log('| file | score | detected | undetected | ignored (static) |');
console.log('| --- | --- | --- | --- | --- |');
console.log(rows.join('\n'));
console.log('\n| survivor | mutator | status | replacement |');
console.log('| --- | --- | --- | --- |');
console.log(left.join('\n'));
