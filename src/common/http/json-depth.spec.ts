import { jsonNestsDeeperThan } from './json-depth.js';

const bytes = (s: string) => Buffer.from(s, 'utf8');

describe('jsonNestsDeeperThan', () => {
  it.each([
    ['1', 0, false],
    ['[]', 0, true],
    ['[]', 1, false],
    ['{"a":[1,{"b":2}]}', 3, false],
    ['{"a":[1,{"b":2}]}', 2, true],
    ['[[],[],[]]', 2, false],
    ['["[[[[", "{{{{"]', 1, false],
    ['["\\"[[[["]', 1, false],
    ['["\\\\", [[]]]', 2, true],
    ['{"k\\u005b":{"x":"]]]"}}', 2, false],
    ['[[[[[[', 5, true],
  ])('%s with max %i → %s', (text, max, expected) => {
    expect(jsonNestsDeeperThan(bytes(text), max)).toBe(expected);
  });

  it('scans a 4 MB body in one pass', () => {
    const body = bytes(
      JSON.stringify({
        data: Array.from({ length: 100_000 }, (_, i) => ({
          user_id: i + 1,
          u: 123456789,
          d: 987654321,
        })),
      }),
    );
    const started = process.hrtime.bigint();
    expect(jsonNestsDeeperThan(body, 32)).toBe(false);
    expect(Number(process.hrtime.bigint() - started) / 1e6).toBeLessThan(500);
  });
});
