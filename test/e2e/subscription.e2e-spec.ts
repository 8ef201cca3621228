import { parse } from 'yaml';
import { Link, SsNode, User } from '../../src/database/entities/index.js';
import { FORMAT_NAMES } from '../../src/modules/subscription/formats/profile.js';
import { createNode, daysFromNow } from '../factories/node.factory.js';
import {
  freshGroup,
  parseUserinfo,
  refreshCatalog,
  subscribe,
  Subscribed,
} from '../factories/subscription.factory.js';
import { signUp, signUpAdmin, updateUser } from '../factories/user.factory.js';
import {
  base64ListLines,
  base64ListNames,
  bodyText,
  profileNames,
} from '../utils/subscription-profile.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';

const GB = 1024 ** 3;
const CONTENT_TYPES: Record<(typeof FORMAT_NAMES)[number], RegExp> = {
  clash: /yaml/,
  singbox: /json/,
  v2ray: /^text\/plain/,
  sip008: /json/,
  'v2ray-json': /json/,
};

describe('subscriptions (e2e)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await createTestApp();
  });
  afterAll(async () => {
    await t?.close();
  });

  /** A node of its own group (invisible to other tests' users), read by the catalog. */
  async function nodeFor(
    group: number,
    values: Partial<SsNode> = {},
  ): Promise<SsNode> {
    const node = await createNode(t.dataSource, {
      nodeGroup: group,
      ...values,
    });
    await refreshCatalog(t);
    return node;
  }

  /**
   * `path` answers exactly as a path no route serves does (`<path>/no/such/route`): status,
   * content type and body, but for the path it names.
   */
  async function expectLikeUnknownPath(path: string): Promise<void> {
    const res = await t.http().get(path).expect(404);
    const unknown = await t.http().get(`${path}/no/such/route`).expect(404);
    expect(res.headers['content-type']).toBe(unknown.headers['content-type']);
    expect(res.body).toEqual({
      ...unknown.body,
      msg: String(unknown.body.msg).replace('/no/such/route', ''),
    });
    expect(res.body).toEqual({
      ret: 0,
      msg: `Cannot GET ${path}`,
      code: 'NOT_FOUND',
    });
  }

  describe('token', () => {
    it('is random, URL-safe, at least 16 characters, stable across calls, with one URL per format', async () => {
      const user = await signUp(t);
      const first = await t
        .http()
        .get(`${API}/user/subscription`)
        .set(user.auth)
        .expect(200);
      const { token, url, urls } = first.body.data;
      expect(token).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(token).not.toMatch(/^\d+$/);
      expect(url).toBe(`http://localhost:3000/sub/${token}`);
      expect(Object.keys(urls).sort()).toEqual([...FORMAT_NAMES].sort());
      for (const f of FORMAT_NAMES) expect(urls[f]).toBe(`${url}/${f}`);
      const again = await t
        .http()
        .get(`${API}/user/subscription`)
        .set(user.auth)
        .expect(200);
      expect(again.body.data.token).toBe(token);
      const row = await t.dataSource
        .getRepository(Link)
        .findOneByOrFail({ userid: user.id });
      expect(row).toMatchObject({ type: 11, token });
      const other = await signUp(t);
      const theirs = await t
        .http()
        .get(`${API}/user/subscription`)
        .set(other.auth)
        .expect(200);
      expect(theirs.body.data.token).not.toBe(token);
    });

    it('concurrent first requests create one token', async () => {
      const user = await signUp(t);
      const replies = await Promise.all(
        Array.from({ length: 8 }, () =>
          t.http().get(`${API}/user/subscription`).set(user.auth),
        ),
      );
      expect(replies.map((r) => r.status)).toEqual(Array(8).fill(200));
      expect(new Set(replies.map((r) => r.body.data.token)).size).toBe(1);
      expect(
        await t.dataSource
          .getRepository(Link)
          .countBy({ userid: user.id, type: 11 }),
      ).toBe(1);
    });

    it('needs a signed-in user', async () => {
      await t.http().get(`${API}/user/subscription`).expect(401);
      await t.http().post(`${API}/user/subscription/reset`).expect(401);
    });

    it('reset issues a new token; the old URLs answer 404 like an unknown path at once', async () => {
      const user = await subscribe(t);
      await t.http().get(user.path).expect(200);
      await t.http().get(`${user.path}/clash`).expect(200);
      const res = await t
        .http()
        .post(`${API}/user/subscription/reset`)
        .set(user.auth)
        .expect(200);
      const fresh = res.body.data.token as string;
      expect(fresh).toMatch(/^[A-Za-z0-9_-]{16,}$/);
      expect(fresh).not.toBe(user.token);
      for (const path of [
        user.path,
        `${user.path}/clash`,
        `/link/${user.token}`,
      ])
        await expectLikeUnknownPath(path);
      await t.http().get(`/sub/${fresh}`).expect(200);
      const info = await t
        .http()
        .get(`${API}/user/subscription`)
        .set(user.auth)
        .expect(200);
      expect(info.body.data.token).toBe(fresh);
    });

    it('an admin resets a user token; an unknown user is 404', async () => {
      const admin = await signUpAdmin(t);
      const user = await subscribe(t);
      const res = await t
        .http()
        .post(`${API}/admin/users/${user.id}/subscription/reset`)
        .set(admin.auth)
        .expect(200);
      expect(res.body.data.token).not.toBe(user.token);
      await t.http().get(user.path).expect(404);
      await t.http().get(`/sub/${res.body.data.token}`).expect(200);
      const missing = await t
        .http()
        .post(`${API}/admin/users/99999999/subscription/reset`)
        .set(admin.auth)
        .expect(404);
      expect(missing.body.code).toBe('SUBSCRIPTION_USER_NOT_FOUND');
      await t
        .http()
        .post(`${API}/admin/users/${user.id}/subscription/reset`)
        .set(user.auth)
        .expect(403);
    });

    it('an unknown token is 404 with the body of any unknown path', async () => {
      for (const path of [
        '/sub/no-such-token-0000000',
        '/sub/no-such-token-0000000/singbox',
        '/link/no-such-token-0000000',
      ])
        await expectLikeUnknownPath(path);
    });
  });

  describe('formats and headers', () => {
    let user: Subscribed;
    const group = freshGroup();

    beforeAll(async () => {
      user = await subscribe(t, {
        nodeGroup: group,
        u: 1 * GB,
        d: 2 * GB,
        transferEnable: 100 * GB,
      });
      await nodeFor(group, { name: 'FH SS', sort: 0, customConfig: null });
      await nodeFor(group, { name: 'FH VMess', sort: 11, trafficRate: 1.5 });
    });

    it.each(FORMAT_NAMES)(
      '/sub/:token/%s: 200, content-type, the four-integer userinfo and the profile headers',
      async (format) => {
        const res = await t
          .http()
          .get(`${user.path}/${format}`)
          .responseType('blob');
        expect(res.status).toBe(200);
        expect(res.headers['content-type']).toMatch(CONTENT_TYPES[format]);
        const userinfo = parseUserinfo(res.headers['subscription-userinfo']);
        expect(userinfo).toEqual({
          upload: 1 * GB,
          download: 2 * GB,
          total: 100 * GB,
          expire: expect.any(Number),
        });
        expect(res.headers['profile-update-interval']).toBe('24');
        expect(res.headers['content-disposition']).toMatch(
          /^attachment; filename\*=UTF-8''Panel\.(yaml|json|txt)$/,
        );
        expect(res.headers['profile-title']).toBe(
          `base64:${Buffer.from('Panel').toString('base64')}`,
        );
        const names = profileNames(format, bodyText(res));
        if (format === 'sip008') expect(names).toEqual(['FH SS']);
        else expect(names).toEqual(['FH SS', 'FH VMess [x1.5]']);
      },
    );

    it('HEAD answers every route with the same headers and no body', async () => {
      for (const path of [
        user.path,
        ...FORMAT_NAMES.map((f) => `${user.path}/${f}`),
        `/link/${user.token}`,
      ]) {
        const get = await t.http().get(path).responseType('blob');
        const head = await t.http().head(path);
        expect(head.status).toBe(200);
        expect(head.text ?? '').toBe('');
        for (const h of [
          'content-type',
          'subscription-userinfo',
          'profile-update-interval',
          'content-disposition',
          'profile-title',
        ])
          expect(head.headers[h]).toBe(get.headers[h] as string);
        expect(
          parseUserinfo(head.headers['subscription-userinfo']),
        ).not.toBeNull();
      }
    });

    it('counts every fetch by format and state on /metrics', async () => {
      const count = async () => {
        const metrics = (await t.http().get('/metrics').expect(200)).text;
        const line = metrics
          .split('\n')
          .find((l) =>
            l.startsWith(
              'panel_subscription_fetches_total{format="sip008",state="active"}',
            ),
          );
        return Number(line?.split(' ')[1] ?? 0);
      };
      const before = await count();
      await t.http().get(`${user.path}/sip008`).expect(200);
      await t.http().head(`${user.path}/sip008`).expect(200);
      expect(await count()).toBe(before + 2);
    });

    it('an unknown format is 404 like an unknown path', async () => {
      await expectLikeUnknownPath(`${user.path}/surge`);
    });

    it('expire is the earlier of the level and account expiry, 0 when neither expires', async () => {
      const expireOf = async () =>
        parseUserinfo(
          (await t.http().head(`${user.path}/v2ray`)).headers[
            'subscription-userinfo'
          ],
        )?.expire;
      const account = daysFromNow(20);
      const level = daysFromNow(10);
      await updateUser(t.dataSource, user.id, {
        classLevel: 0,
        classExpire: level,
        expireIn: account,
      });
      expect(await expireOf()).toBe(Math.floor(account.getTime() / 1000));
      await updateUser(t.dataSource, user.id, { classLevel: 1 });
      expect(await expireOf()).toBe(Math.floor(level.getTime() / 1000));
      await updateUser(t.dataSource, user.id, {
        classLevel: 0,
        expireIn: new Date('2099-12-31T00:00:00Z'),
      });
      expect(await expireOf()).toBe(0);
      await updateUser(t.dataSource, user.id, {
        classLevel: 0,
        expireIn: daysFromNow(30),
      });
    });
  });

  describe('client detection', () => {
    let user: Subscribed;
    const group = freshGroup();

    beforeAll(async () => {
      user = await subscribe(t, { nodeGroup: group });
      await nodeFor(group, { name: 'CD VMess', sort: 11 });
      await nodeFor(group, {
        name: 'CD VLESS',
        sort: 13,
        customConfig: JSON.stringify({
          offset_port_node: '443',
          network: 'tcp',
          security: 'tls',
          host: 'node.example.com',
        }),
      });
    });

    /** What a response is: sing-box JSON, Clash YAML, or the base64 list. */
    function kindOf(res: {
      headers: Record<string, string>;
      body: unknown;
    }): string {
      const type = res.headers['content-type'];
      const body = bodyText(res);
      if (/yaml/.test(type)) {
        const names = profileNames('clash', body);
        return names.includes('CD VLESS') ? 'clash' : 'clash-legacy';
      }
      if (/json/.test(type)) return 'singbox';
      expect(base64ListNames(body)).toEqual(['CD VMess', 'CD VLESS']);
      return 'v2ray';
    }

    it.each([
      ['sing-box 1.11.0 (android)', 'singbox'],
      ['SFA/1.10.1 (Android 14)', 'singbox'],
      ['SFI/1.9.0', 'singbox'],
      ['Hiddify/2.5.7', 'singbox'],
      ['Karing/1.0.30', 'singbox'],
      ['Stash/2.4.8 Clash/1.9.0', 'clash'],
      ['mihomo/1.18.5', 'clash'],
      ['clash.meta', 'clash'],
      ['clash-verge/v1.7.7', 'clash'],
      ['FlClash/v0.8.60', 'clash'],
      ['ClashMetaForAndroid/2.10.1.Meta', 'clash'],
      ['clash-nyanpasu/v1.5.1', 'clash'],
      ['ClashForWindows/0.20.39', 'clash-legacy'],
      ['clash', 'clash-legacy'],
      ['Shadowrocket/2070 CFNetwork/1490.0.4 Darwin/23.2.0', 'v2ray'],
      ['Quantumult%20X/1.4.1', 'v2ray'],
      ['Surge iOS/2920', 'v2ray'],
      ['Loon/716', 'v2ray'],
      ['v2rayN/6.31', 'v2ray'],
      ['curl/8.5.0', 'v2ray'],
    ])('User-Agent %p → %s', async (ua, expected) => {
      const res = await t
        .http()
        .get(user.path)
        .set('User-Agent', ua)
        .responseType('blob');
      expect(res.status).toBe(200);
      expect(kindOf(res)).toBe(expected);
    });

    it.each([
      ['singbox', 'mihomo/1.18.5', 'singbox'],
      ['clash', 'SFA/1.10.1', 'clash'],
      ['v2ray', 'mihomo/1.18.5', 'v2ray'],
      ['meta', 'curl/8', 'clash'],
      ['ClashForWindows', 'SFA/1.10.1', 'clash-legacy'],
      ['shadowrocket', 'SFA/1.10.1', 'v2ray'],
    ])('?flag=%s overrides User-Agent %p → %s', async (flag, ua, expected) => {
      const res = await t
        .http()
        .get(user.path)
        .query({ flag })
        .set('User-Agent', ua)
        .responseType('blob');
      expect(res.status).toBe(200);
      expect(kindOf(res)).toBe(expected);
    });
  });

  describe('account states', () => {
    const group = freshGroup();
    beforeAll(async () => {
      await nodeFor(group, { name: 'ST VMess', sort: 11 });
    });

    it.each<[string, Partial<User>, string]>([
      ['disabled', { enable: 0 }, 'Account disabled — see localhost:3000'],
      ['switched off', { switch: 0 }, 'Account disabled — see localhost:3000'],
      [
        'expired',
        { expireIn: daysFromNow(-1) },
        'Expired — renew at localhost:3000',
      ],
      [
        'level expired',
        { classLevel: 1, classExpire: daysFromNow(-1) },
        'Plan expired — renew at localhost:3000',
      ],
      [
        'over quota',
        { u: 60 * GB, d: 40 * GB, transferEnable: 100 * GB },
        'Traffic used up — top up at localhost:3000',
      ],
    ])(
      '%s → 200 with one placeholder entry in every format',
      async (_, values, name) => {
        const user = await subscribe(t, { nodeGroup: group, ...values });
        for (const format of FORMAT_NAMES) {
          const res = await t
            .http()
            .get(`${user.path}/${format}`)
            .responseType('blob');
          expect(res.status).toBe(200);
          expect(
            parseUserinfo(res.headers['subscription-userinfo']),
          ).not.toBeNull();
          expect(profileNames(format, bodyText(res))).toEqual([name]);
        }
        const lines = base64ListLines(
          bodyText(await t.http().get(user.path).responseType('blob')),
        );
        expect(lines).toHaveLength(1);
        expect(lines[0]).toMatch(/^ss:\/\/.+@127\.0\.0\.1:1[/?#]/);
      },
    );

    it('a user in good standing sees the node, not a placeholder', async () => {
      const user = await subscribe(t, { nodeGroup: group });
      const res = await t.http().get(`${user.path}/clash`).responseType('blob');
      expect(profileNames('clash', bodyText(res))).toEqual(['ST VMess']);
    });
  });

  describe('Hysteria v1 and AnyTLS nodes', () => {
    const group = freshGroup();
    let user: Subscribed;

    beforeAll(async () => {
      user = await subscribe(t, { nodeGroup: group, classLevel: 1 });
      await nodeFor(group, {
        name: 'PX HY1',
        sort: 15,
        customConfig: JSON.stringify({
          version: 1,
          up_mbps: 50,
          down_mbps: 200,
        }),
      });
      await nodeFor(group, { name: 'PX AnyTLS', sort: 16, customConfig: null });
    });

    const fetch = async (path: string, query: Record<string, string> = {}) => {
      const res = await t
        .http()
        .get(`${user.path}/${path}`)
        .query(query)
        .responseType('blob');
      expect(res.status).toBe(200);
      return bodyText(res);
    };

    it('are in the formats that carry them (mihomo, sing-box, the URI list) and not in the others', async () => {
      const types = (list: { name?: string; tag?: string; type: string }[]) =>
        Object.fromEntries(
          list
            .filter((p) => (p.name ?? p.tag ?? '').startsWith('PX'))
            .map((p) => [p.name ?? p.tag, p.type]),
        );
      const clash = parse(await fetch('clash')) as {
        proxies: { name: string; type: string }[];
      };
      expect(types(clash.proxies)).toEqual({
        'PX HY1': 'hysteria',
        'PX AnyTLS': 'anytls',
      });
      const singbox = JSON.parse(await fetch('singbox')) as {
        outbounds: { tag: string; type: string }[];
      };
      expect(types(singbox.outbounds)).toEqual({
        'PX HY1': 'hysteria',
        'PX AnyTLS': 'anytls',
      });
      const schemes = base64ListLines(await fetch('v2ray')).map(
        (l) => l.split('://')[0],
      );
      expect(schemes.sort()).toEqual(['anytls', 'hysteria']);
      for (const format of ['sip008', 'v2ray-json'] as const)
        expect(
          profileNames(format, await fetch(format)).filter((n) =>
            n.startsWith('PX'),
          ),
        ).toEqual([]);
    });

    it('?types= names them hysteria and anytls', async () => {
      expect(
        base64ListNames(await fetch('v2ray', { types: 'anytls' })),
      ).toEqual(['PX AnyTLS']);
      expect(
        base64ListNames(await fetch('v2ray', { types: 'hysteria' })),
      ).toEqual(['PX HY1']);
      // Hysteria 2 is another protocol: the v1 node is not in it.
      expect(
        base64ListNames(await fetch('v2ray', { types: 'hysteria2' })).filter(
          (n) => n.startsWith('PX'),
        ),
      ).toEqual([]);
    });
  });

  describe('node visibility and filters', () => {
    const group = freshGroup();
    let user: Subscribed;

    beforeAll(async () => {
      user = await subscribe(t, { nodeGroup: group, classLevel: 1 });
      const tls = (extra: Record<string, unknown> = {}) =>
        JSON.stringify({
          offset_port_node: '443',
          network: 'tcp',
          security: 'tls',
          host: 'node.example.com',
          ...extra,
        });
      // Created out of sort order: the list follows sort, then id.
      await nodeFor(group, {
        name: 'NV Trojan',
        sort: 14,
        customConfig: tls(),
      });
      await nodeFor(group, {
        name: 'NV VMess class 1',
        sort: 11,
        nodeClass: 1,
      });
      await nodeFor(group, {
        name: 'NV VMess class 2',
        sort: 11,
        nodeClass: 2,
      });
      await nodeFor(group, {
        name: 'NV SS',
        sort: 0,
        customConfig: null,
        trafficRate: 0.5,
      });
      await nodeFor(group, { name: 'NV VLESS', sort: 13, customConfig: tls() });
      await nodeFor(group, { name: 'NV disabled', sort: 11, type: 0 });
      await nodeFor(group, {
        name: 'NV broken',
        sort: 11,
        customConfig: '{not json',
      });
      await nodeFor(freshGroup(), { name: 'NV other group', sort: 11 });
      await nodeFor(0, { name: 'NV any group', sort: 11, nodeClass: 5 });
    });

    const names = async (query: Record<string, string> = {}, path?: string) => {
      const res = await t
        .http()
        .get(path ?? `${user.path}/v2ray`)
        .query(query)
        .responseType('blob');
      expect(res.status).toBe(200);
      return base64ListNames(bodyText(res)).filter((n) => n.startsWith('NV'));
    };

    it('lists the nodes the user may use now, in sort order, with the rate suffix', async () => {
      expect(await names()).toEqual([
        'NV SS [x0.5]',
        'NV VMess class 1',
        'NV VLESS',
        'NV Trojan',
      ]);
    });

    it('follows the user: a higher level and group 0 nodes, another group', async () => {
      await updateUser(t.dataSource, user.id, { classLevel: 5 });
      expect(await names()).toEqual([
        'NV SS [x0.5]',
        'NV VMess class 1',
        'NV VMess class 2',
        'NV any group',
        'NV VLESS',
        'NV Trojan',
      ]);
      await updateUser(t.dataSource, user.id, { nodeGroup: freshGroup() });
      expect(await names()).toEqual(['NV any group']);
      await updateUser(t.dataSource, user.id, {
        classLevel: 1,
        nodeGroup: group,
      });
    });

    it('?types= keeps only those protocols; an unknown protocol is 400', async () => {
      expect(await names({ types: 'vless,trojan' })).toEqual([
        'NV VLESS',
        'NV Trojan',
      ]);
      expect(await names({ types: 'shadowsocks' }, user.path)).toEqual([
        'NV SS [x0.5]',
      ]);
      const bad = await t
        .http()
        .get(`${user.path}/v2ray`)
        .query({ types: 'vless,wireguard' })
        .expect(400);
      expect(bad.body.code).toBe('SUBSCRIPTION_BAD_TYPES');
      expect(bad.body.msg).toContain('wireguard');
      const malformed = await t
        .http()
        .get(user.path)
        .query({ types: 'VLESS;x' })
        .expect(400);
      expect(malformed.body.code).toBe('VALIDATION_FAILED');
    });

    it('/link/:token?mu= filters like the seed: 2 = all, ss, vmess, vless, trojan', async () => {
      const link = `/link/${user.token}`;
      expect(await names({}, link)).toEqual([
        'NV SS [x0.5]',
        'NV VMess class 1',
        'NV VLESS',
        'NV Trojan',
      ]);
      expect(await names({ mu: '2' }, link)).toEqual([
        'NV SS [x0.5]',
        'NV VMess class 1',
        'NV VLESS',
        'NV Trojan',
      ]);
      expect(await names({ mu: 'ss' }, link)).toEqual(['NV SS [x0.5]']);
      expect(await names({ mu: 'vmess' }, link)).toEqual(['NV VMess class 1']);
      expect(await names({ mu: 'vless' }, link)).toEqual(['NV VLESS']);
      expect(await names({ mu: 'trojan' }, link)).toEqual(['NV Trojan']);
      expect(await names({ mu: 'vmess', types: 'trojan' }, link)).toEqual([]);
      const bad = await t.http().get(link).query({ mu: '7' }).expect(400);
      expect(bad.body.code).toBe('VALIDATION_FAILED');
      expect(bad.body.msg).toContain('mu must be one of');
    });
  });
});
