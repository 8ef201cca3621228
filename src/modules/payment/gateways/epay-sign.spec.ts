import { createHash } from 'node:crypto';
import { epaySign, epaySignatureMatches } from './epay-sign.js';

const md5 = (s: string) => createHash('md5').update(s).digest('hex');

describe('epay signature', () => {
  it('reproduces the research vector (perfect-panel/server epay_test.go TestVerifySign)', () => {
    const params = {
      pid: '1654',
      trade_no: '2024121521150860990',
      out_trade_no: '202412152115078262977262254',
      type: 'alipay',
      name: 'product',
      money: '10',
      trade_status: 'TRADE_SUCCESS',
    };
    expect(epaySign(params, 'LbTabbB580zWyhXhyyww7wwvy5u8k0wl')).toBe(
      'd3181f18ebdf9821f0ab6ee93faa82d1',
    );
  });

  it('sorts keys, drops sign, sign_type and empty values, appends the key, MD5 lowercase', () => {
    const params = {
      pid: '1001',
      type: 'alipay',
      out_trade_no: 'T1',
      money: '12.50',
      name: 'Top-up',
      param: '',
      sign: 'ignored',
      sign_type: 'MD5',
    };
    expect(epaySign(params, 'KEY')).toBe(
      md5('money=12.50&name=Top-up&out_trade_no=T1&pid=1001&type=alipayKEY'),
    );
  });

  it('does not URL-encode values', () => {
    expect(epaySign({ b: 'x y&z', a: 'https://h/p?q=1' }, 'k')).toBe(
      md5('a=https://h/p?q=1&b=x y&zk'),
    );
  });

  it('accepts the right signature (any case) and refuses a wrong or missing one', () => {
    const params: Record<string, string> = { a: '1', b: '2' };
    const sign = epaySign(params, 'k');
    expect(epaySignatureMatches({ ...params, sign }, 'k')).toBe(true);
    expect(
      epaySignatureMatches({ ...params, sign: sign.toUpperCase() }, 'k'),
    ).toBe(true);
    expect(epaySignatureMatches({ ...params, sign }, 'other')).toBe(false);
    expect(epaySignatureMatches({ ...params, b: '3', sign }, 'k')).toBe(false);
    expect(epaySignatureMatches(params, 'k')).toBe(false);
  });
});
