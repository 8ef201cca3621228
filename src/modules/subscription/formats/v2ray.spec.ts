import {
  EXTRA_ROWS,
  VECTOR_ROWS,
  entry,
  profile,
} from '../../../../test/fixtures/subscription/profile-fixtures.js';
import {
  bodyLines,
  linkFields,
} from '../../../../test/fixtures/subscription/share-links.js';
import { renderSeedLinks, renderV2ray } from './v2ray.js';

/** Xboard's General body for V1, V5, V6, V8 (research §1.7, "Golden body"). */
const GOLDEN_BODY =
  'c3M6Ly9ZV1Z6TFRJMU5pMW5ZMjA2TTJJNFpUUmlOV010TVdNeFppMDBZVFUxTFRsak5tSXRNbVl4WmpCa04yTTVZVEV3QGhrMS5leGFtcGxlLmNvbTo4Mzg4I0hLJTIwMDENCnZtZXNzOi8vZXlKMklqb2lNaUlzSW5Ceklqb2lWVk1nTURFaUxDSmhaR1FpT2lKMWN6RXVaWGhoYlhCc1pTNWpiMjBpTENKd2IzSjBJam9pTkRReklpd2lhV1FpT2lJellqaGxOR0kxWXkweFl6Rm1MVFJoTlRVdE9XTTJZaTB5WmpGbU1HUTNZemxoTVRBaUxDSmhhV1FpT2lJd0lpd2libVYwSWpvaWQzTWlMQ0owZVhCbElqb2lkM01pTENKb2IzTjBJam9pWTJSdUxtVjRZVzF3YkdVdVkyOXRJaXdpY0dGMGFDSTZJbHd2ZDNNaUxDSjBiSE1pT2lKMGJITWlMQ0p6Ym1raU9pSjFjekV1WlhoaGJYQnNaUzVqYjIwaWZRPT0NCnZsZXNzOi8vM2I4ZTRiNWMtMWMxZi00YTU1LTljNmItMmYxZjBkN2M5YTEwQDIwMy4wLjExMy4xMDo0NDM/bW9kZT1tdWx0aSZzZWN1cml0eT1yZWFsaXR5JmVuY3J5cHRpb249bm9uZSZ0eXBlPXRjcCZmbG93PXh0bHMtcnByeC12aXNpb24mcGJrPVo4NEoySWVsUjljaDNrOFZ0bFZoaHM1eWNCVWxYQTd3SEJXY0JyanFuQXcmc2lkPTZiYTg1MTc5ZTMwZDRmYzImc25pPXd3dy5taWNyb3NvZnQuY29tJnNlcnZlcm5hbWU9d3d3Lm1pY3Jvc29mdC5jb20mc3B4PSUyRiZmcD1jaHJvbWUjU0crUmVhbGl0eQ0KdHJvamFuOi8vM2I4ZTRiNWMtMWMxZi00YTU1LTljNmItMmYxZjBkN2M5YTEwQGRlMS5leGFtcGxlLmNvbTo0NDM/YWxsb3dJbnNlY3VyZT0wJnBlZXI9ZGUxLmV4YW1wbGUuY29tJnNuaT1kZTEuZXhhbXBsZS5jb20jREUlMjBUcm9qYW4NCg==';

/** Xboard-only query keys (see uri-links.spec): `mode` on every vless link, `servername`. */
const XBOARD_ONLY = ['mode', 'servername'];

function comparable(line: string): ReturnType<typeof linkFields> {
  const fields = linkFields(line);
  const params = { ...fields.params };
  if (fields.scheme === 'vless') {
    for (const key of XBOARD_ONLY) delete params[key];
  }
  return { ...fields, params };
}

const goldenEntries = () =>
  [VECTOR_ROWS.V1, VECTOR_ROWS.V5, VECTOR_ROWS.V6, VECTOR_ROWS.V8].map((r) =>
    entry(r),
  );

describe('v2ray (base64 URI list)', () => {
  it('matches the Xboard golden body line by line, field by field', () => {
    const rendered = renderV2ray(profile(goldenEntries()));
    const mine = bodyLines(rendered.body);
    const golden = bodyLines(GOLDEN_BODY);
    expect(mine).toHaveLength(4);
    mine.forEach((line, i) => {
      const want = comparable(golden[i]);
      const got = linkFields(line);
      // The golden trojan line is Xboard's; ours adds Remnawave's type/security (V9).
      if (got.scheme === 'trojan') expect(got).toMatchObject(want);
      else expect(got).toEqual(want);
    });
  });

  it('is standard padded base64 of CRLF-terminated lines', () => {
    const rendered = renderV2ray(profile(goldenEntries()));
    expect(rendered.body).toMatch(/^[A-Za-z0-9+/]+={0,2}$/);
    expect(rendered.body.length % 4).toBe(0);
    const text = Buffer.from(rendered.body, 'base64').toString('utf8');
    expect(text.endsWith('\r\n')).toBe(true);
    expect(text.split('\r\n')).toHaveLength(5);
    expect(rendered).toMatchObject({
      contentType: 'text/plain; charset=utf-8',
      extension: 'txt',
    });
  });

  it('carries every protocol of the model', () => {
    const rows = [...Object.values(VECTOR_ROWS), ...Object.values(EXTRA_ROWS)];
    const lines = bodyLines(
      renderV2ray(profile(rows.map((r) => entry(r)))).body,
    );
    expect(lines).toHaveLength(rows.length);
    expect(new Set(lines.map((l) => l.split('://')[0]))).toEqual(
      new Set([
        'ss',
        'vmess',
        'vless',
        'trojan',
        'hysteria2',
        'hysteria',
        'tuic',
        'anytls',
      ]),
    );
  });

  it('the seed /link/:token variant joins the same links with \\n', () => {
    const entries = goldenEntries();
    const seed = Buffer.from(
      renderSeedLinks(profile(entries)).body,
      'base64',
    ).toString('utf8');
    const crlf = Buffer.from(
      renderV2ray(profile(entries)).body,
      'base64',
    ).toString('utf8');
    expect(seed).not.toContain('\r');
    expect(seed.split('\n')).toEqual(crlf.split('\r\n').slice(0, -1));
  });

  it('an empty profile is an empty (valid) base64 body', () => {
    expect(renderV2ray(profile([])).body).toBe('');
  });
});
