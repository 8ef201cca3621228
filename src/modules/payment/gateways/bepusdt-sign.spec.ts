import { createHash } from 'node:crypto';
import {
  bepusdtSign,
  bepusdtSignatureMatches,
  goValueText,
} from './bepusdt-sign.js';

describe('BEPUSDT signature', () => {
  it('reproduces the documented vector (v03413/bepusdt docs/api.md)', () => {
    const params = {
      order_id: '20220201030210321',
      amount: 42,
      notify_url: 'http://example.com/notify',
      redirect_url: 'http://example.com/redirect',
    };
    expect(bepusdtSign(params, 'epusdt_password_xasddawqe')).toBe(
      '1cd4b52df5587cfb1968b0c0c6e156cd',
    );
    // The same parameters as text (a GET query or a form) sign the same.
    expect(
      bepusdtSign({ ...params, amount: '42' }, 'epusdt_password_xasddawqe'),
    ).toBe('1cd4b52df5587cfb1968b0c0c6e156cd');
  });

  it('leaves out signature and empty values, sorts keys, appends the token', () => {
    const md5 = (s: string) => createHash('md5').update(s).digest('hex');
    expect(
      bepusdtSign(
        { b: 2, a: 'x', c: '', d: null, signature: 'zzz', status: 2 },
        'T',
      ),
    ).toBe(md5('a=x&b=2&status=2T'));
  });

  it.each([
    [42, '42'],
    [28.88, '28.88'],
    [12.5, '12.5'],
    [0.1, '0.1'],
    [0.00001, '1e-05'],
    [1e21, '1e+21'],
    [123456789012, '123456789012'],
    [true, 'true'],
    ['3.10', '3.10'],
  ])('writes %p as Go %%v does: %s', (value, text) => {
    expect(goValueText(value)).toBe(text);
  });

  it('checks a received signature (any case), refuses a changed field or another token', () => {
    const body = { order_id: 'T1', amount: 12.5, status: 2, trade_id: 'x' };
    const signature = bepusdtSign(body, 'tok');
    expect(bepusdtSignatureMatches({ ...body, signature }, 'tok')).toBe(true);
    expect(
      bepusdtSignatureMatches(
        { ...body, signature: signature.toUpperCase() },
        'tok',
      ),
    ).toBe(true);
    expect(bepusdtSignatureMatches({ ...body, signature }, 'other')).toBe(
      false,
    );
    expect(
      bepusdtSignatureMatches({ ...body, amount: 125, signature }, 'tok'),
    ).toBe(false);
    expect(bepusdtSignatureMatches(body, 'tok')).toBe(false);
  });
});
