import { generateKeyPairSync } from 'node:crypto';
import {
  alipayPrivateKey,
  alipayPublicKey,
  alipaySignContent,
  alipayTimestamp,
  jsonMemberText,
  rsa2Sign,
  rsa2Verify,
} from './alipay-sign.js';

describe('Alipay RSA2', () => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = {
    private: pair.privateKey
      .export({ type: 'pkcs8', format: 'pem' })
      .toString(),
    public: pair.publicKey.export({ type: 'spki', format: 'pem' }).toString(),
  };
  const bare = (text: string) =>
    text.replace(/-----[A-Z ]+-----/g, '').replace(/\s+/g, '');

  it('signs and verifies with PEM keys and with bare base64 (PKCS#8, PKCS#1, SPKI)', () => {
    const pkcs1 = pair.privateKey
      .export({ type: 'pkcs1', format: 'pem' })
      .toString();
    for (const priv of [pem.private, bare(pem.private), bare(pkcs1)]) {
      for (const pub of [pem.public, bare(pem.public)]) {
        const sig = rsa2Sign('a=1&b=2', alipayPrivateKey(priv));
        expect(rsa2Verify('a=1&b=2', sig, alipayPublicKey(pub))).toBe(true);
        expect(rsa2Verify('a=1&b=3', sig, alipayPublicKey(pub))).toBe(false);
      }
    }
    expect(rsa2Verify('a=1', 'not base64 !', alipayPublicKey(pem.public))).toBe(
      false,
    );
  });

  it('the string to sign: sorted, empty values and the excluded keys left out, unencoded', () => {
    expect(
      alipaySignContent(
        {
          total_amount: '9.00',
          app_id: '2021',
          sign: 'S',
          sign_type: 'RSA2',
          subject: 'a b&c',
          empty: '',
        },
        ['sign', 'sign_type'],
      ),
    ).toBe('app_id=2021&subject=a b&c&total_amount=9.00');
  });

  it('finds the exact text of a response node, braces inside strings included', () => {
    const node = '{"code":"10000","msg":"Su}cc\\"ess","n":{"x":1}}';
    const json = `{"alipay_trade_query_response":${node},"sign":"abc"}`;
    expect(jsonMemberText(json, 'alipay_trade_query_response')).toBe(node);
    expect(jsonMemberText(json, 'missing')).toBeNull();
    expect(jsonMemberText('{"k": "v"}', 'k')).toBeNull();
  });

  it('writes the timestamp in Beijing time', () => {
    expect(alipayTimestamp(new Date('2026-01-31T20:05:09Z'))).toBe(
      '2026-02-01 04:05:09',
    );
  });
});
