import { humanBytes } from './traffic-format.js';

describe('humanBytes', () => {
  it.each([
    [0, '0B'],
    [1023, '1023B'],
    [1024, '1KB'],
    [1536, '1.5KB'],
    [1024 ** 2 - 1, '1024KB'],
    [1024 ** 2, '1MB'],
    [1024 ** 3 * 2.345, '2.35GB'],
    [1024 ** 4, '1TB'],
    [1024 ** 5, '1PB'],
    [1024 ** 6, '1024PB'],
  ])('%d bytes → %s', (bytes, text) => {
    expect(humanBytes(bytes)).toBe(text);
  });
});
