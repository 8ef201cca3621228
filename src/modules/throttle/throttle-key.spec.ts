import { createHash } from 'node:crypto';
import { describe, expect, it } from '@jest/globals';
import { throttleKey } from './throttle-key.js';

const sha256 = (s: string) => createHash('sha256').update(s).digest('hex');

describe('throttleKey', () => {
  it('is the sha256 of controller-handler-throttler-tracker, the same when asked again', () => {
    const expected = sha256('C-h-node-node:7@127.0.0.1');
    expect(throttleKey('C', 'h', 'node', 'node:7@127.0.0.1')).toBe(expected);
    expect(throttleKey('C', 'h', 'node', 'node:7@127.0.0.1')).toBe(expected);
    expect(throttleKey('C', 'h', 'node', 'node:8@127.0.0.1')).toBe(
      sha256('C-h-node-node:8@127.0.0.1'),
    );
  });

  it('keeps answering right past the memo bound', () => {
    for (let i = 0; i < 10_050; i++) throttleKey('C', 'h', 'auth', `ip:${i}`);
    expect(throttleKey('C', 'h', 'auth', 'ip:3')).toBe(sha256('C-h-auth-ip:3'));
    expect(throttleKey('C', 'h', 'auth', 'ip:10049')).toBe(
      sha256('C-h-auth-ip:10049'),
    );
  });
});
