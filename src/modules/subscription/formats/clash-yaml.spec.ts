import { stringify } from 'yaml';
import {
  EXTRA_ROWS,
  VECTOR_ROWS,
  entry,
  profile,
} from '../../../../test/fixtures/subscription/profile-fixtures.js';
import { clashDocument } from './clash.js';
import { CLASH_YAML_OPTIONS, clashYaml, fastClashYaml } from './clash-yaml.js';

const library = (document: Record<string, unknown>): string =>
  stringify(document, CLASH_YAML_OPTIONS);

const ALL_ROWS = [...Object.values(VECTOR_ROWS), ...Object.values(EXTRA_ROWS)];

describe('clashYaml: yaml.stringify of a Clash profile, byte for byte', () => {
  it.each([
    ['mihomo, every protocol', true],
    ['plain Clash', false],
  ])('%s: the emitter writes it itself, as the library does', (_, meta) => {
    const document = clashDocument(profile(ALL_ROWS.map((r) => entry(r))), {
      meta,
    });
    const fast = fastClashYaml(document);
    expect(fast).not.toBeNull();
    expect(fast).toBe(library(document));
  });

  it('an empty profile (the DIRECT group) and names with emoji, CJK, colons and `#`', () => {
    for (const name of [
      '🇭🇰 HK 01 [x1.5]',
      '日本 東京',
      'a: b # c',
      '- x',
      '---',
      'no',
    ]) {
      const one = { ...entry(VECTOR_ROWS.V1), name };
      const document = clashDocument(profile([one], `${name} site`));
      expect(fastClashYaml(document)).toBe(library(document));
    }
    const empty = clashDocument(profile([]));
    expect(fastClashYaml(empty)).toBe(library(empty));
  });

  it('names the emitter leaves to the library (escapes) come out as the library writes them', () => {
    for (const name of [
      'say "hi"',
      'back\\slash',
      'two\nlines',
      'tab\there',
      'nul\u0000',
    ]) {
      const one = { ...entry(VECTOR_ROWS.V1), name };
      const document = clashDocument(profile([one]));
      expect(fastClashYaml(document)).toBeNull();
      expect(clashYaml(document)).toBe(library(document));
    }
  });

  /** A small deterministic PRNG (mulberry32). */
  function prng(seed: number): () => number {
    let a = seed >>> 0;
    return () => {
      a = (a + 0x6d2b79f5) >>> 0;
      let t = a;
      t = Math.imul(t ^ (t >>> 15), t | 1);
      t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
      return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
    };
  }

  it('random documents: whatever the emitter writes is what the library writes', () => {
    const random = prng(20261202);
    const pick = <T>(list: readonly T[]): T =>
      list[Math.floor(random() * list.length)];
    const pieces = [
      'a',
      'Z',
      ' ',
      '  ',
      ':',
      ': ',
      '#',
      ' #',
      '-',
      '- ',
      '---',
      '...',
      '%',
      '"',
      "'",
      '\\',
      '\n',
      ' \n',
      '\t',
      '\r',
      '\u0000',
      '\u0007',
      '\u001b',
      '\u007f',
      '\u0085',
      '\u00a0',
      '\u2028',
      '\u2029',
      '\ud83c\udded',
      '\ud800',
      '\udfff',
      'é',
      '東',
      '[',
      ']',
      '{',
      '}',
      ',',
      '&',
      '*',
      '!',
      '|',
      '>',
      '?',
      '@',
      '`',
      '1',
      '0x1',
      'true',
      'null',
      '~',
      'yes',
    ];
    const keys = [
      'name',
      'type',
      'ws-opts',
      'Host',
      'h2_opts',
      'x1',
      'true',
      'No',
      'null',
      'a b',
      '1a',
      '',
      '-x',
      'key:',
      'é',
      'Y',
      'on',
    ];
    const numbers = [
      0,
      1,
      -1,
      7890,
      1.5,
      0.1,
      1e21,
      1e-7,
      -0,
      NaN,
      Infinity,
      2 ** 53,
    ];
    const text = (): string =>
      Array.from({ length: Math.floor(random() * 6) }, () => pick(pieces)).join(
        '',
      );
    const value = (depth: number): unknown => {
      const roll = random();
      if (depth < 3 && roll < 0.15) return map(depth + 1);
      if (depth < 3 && roll < 0.3)
        return Array.from({ length: Math.floor(random() * 4) }, () =>
          value(depth + 1),
        );
      if (roll < 0.75) return text();
      if (roll < 0.88) return pick(numbers);
      if (roll < 0.96) return random() < 0.5;
      return random() < 0.5 ? null : undefined;
    };
    const map = (depth: number): Record<string, unknown> =>
      Object.fromEntries(
        Array.from({ length: Math.floor(random() * 5) }, () => [
          pick(keys),
          value(depth),
        ]),
      );
    let written = 0;
    let left = 0;
    for (let i = 0; i < 4000; i++) {
      const document = map(0);
      const fast = fastClashYaml(document);
      if (fast === null) left++;
      else {
        written++;
        expect(fast).toBe(library(document));
      }
      expect(clashYaml(document)).toBe(library(document));
    }
    // Both branches ran, many times.
    expect(written).toBeGreaterThan(100);
    expect(left).toBeGreaterThan(200);
  });
});
