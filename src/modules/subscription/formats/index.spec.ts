import {
  EXTRA_ROWS,
  VECTOR_ROWS,
  entry,
  profile,
} from '../../../../test/fixtures/subscription/profile-fixtures.js';
import {
  FORMAT_NAMES,
  RENDERERS,
  renderLegacyClash,
  renderSeedLinkList,
  renderV2rayCoreJson,
} from './index.js';

const input = () =>
  profile(
    [...Object.values(VECTOR_ROWS), ...Object.values(EXTRA_ROWS)].map((r) =>
      entry(r),
    ),
  );

describe('RENDERERS', () => {
  it.each([
    ['clash', 'text/yaml; charset=utf-8', 'yaml'],
    ['singbox', 'application/json; charset=utf-8', 'json'],
    ['v2ray', 'text/plain; charset=utf-8', 'txt'],
    ['sip008', 'application/json; charset=utf-8', 'json'],
    ['v2ray-json', 'application/json; charset=utf-8', 'json'],
  ] as const)(
    '%s renders a non-empty %s body',
    (format, contentType, extension) => {
      const out = RENDERERS[format](input());
      expect(out).toMatchObject({ contentType, extension });
      expect(out.body.length).toBeGreaterThan(0);
    },
  );

  it('covers every format name, and is pure: the same input renders the same bytes', () => {
    expect(Object.keys(RENDERERS).sort()).toEqual([...FORMAT_NAMES].sort());
    for (const format of FORMAT_NAMES) {
      expect(RENDERERS[format](input()).body).toBe(
        RENDERERS[format](input()).body,
      );
    }
  });

  it('the variants differ from their main format where they must', () => {
    expect(renderLegacyClash(input()).body).not.toContain('vless');
    expect(renderSeedLinkList(input()).body).not.toBe(
      RENDERERS.v2ray(input()).body,
    );
    expect(renderV2rayCoreJson(input()).body).not.toContain('reality');
  });
});
