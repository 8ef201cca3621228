import { uniproxySpeedLimit } from '../node-user-list.service.js';
import {
  aliveAddress,
  jsonObjectBody,
  parseTrafficPush,
} from './uniproxy-body.js';
import { normaliseNodeType } from './uniproxy-node-type.js';
import { V2BOARD_ETAG } from '../etag.js';

const bytes = (text: string) => Buffer.from(text);

describe('UniProxy bodies', () => {
  it.each([
    ['198.51.100.7', '198.51.100.7'],
    ['198.51.100.7:443', '198.51.100.7'],
    ['198.51.100.7_2', '198.51.100.7'],
    ['[2001:db8::1]:443', '2001:db8::1'],
    ['2001:db8::1', '2001:db8::1'],
    ['2001:db8::1_5', '2001:db8::1'],
    ['::ffff:198.51.100.7', '::ffff:198.51.100.7'],
    ['host.example:80', null],
    ['999.1.1.1', null],
    ['', null],
  ])('alive address %j → %j', (input, expected) => {
    expect(aliveAddress(input)).toBe(expected);
  });

  it('push keeps only user-id keys with two non-negative safe integers', () => {
    const { entries, malformed } = parseTrafficPush(
      bytes(
        JSON.stringify({
          '1': [1, 2],
          '2': [0, 0],
          '3': [-1, 2],
          '4': [1.5, 2],
          '5': ['1', 2],
          '6': [1],
          '7': [2 ** 53, 1],
          '01': [1, 1],
          '2147483648': [1, 1],
          x: [1, 1],
        }),
      ),
    );
    expect(entries).toEqual([
      { user_id: 1, u: 1, d: 2 },
      { user_id: 2, u: 0, d: 0 },
    ]);
    expect(malformed).toBe(8);
  });

  it.each(['{', '[1]', '"x"', 'null', '7'])(
    'a body that is not a JSON object (%s) is refused',
    (text) => {
      expect(() => jsonObjectBody(bytes(text))).toThrow(/Invalid data format/);
    },
  );

  it('no body, an empty body and [] are an empty object', () => {
    expect(jsonObjectBody(undefined)).toEqual({});
    expect(jsonObjectBody(bytes(''))).toEqual({});
    expect(jsonObjectBody(bytes('[]'))).toEqual({});
  });
});

describe('UniProxy rules', () => {
  it.each([
    ['v2ray', 'vmess'],
    ['V2ray', 'vmess'],
    ['vless', 'vless'],
    // Every V2bX decodes `hysteria` as v1 (api/panel/node.go HysteriaNode).
    ['hysteria', 'hysteria'],
    ['hysteria2', 'hysteria2'],
    ['tuic', 'tuic'],
    ['anytls', 'anytls'],
    ['shadowsocks', 'shadowsocks'],
    ['wireguard', null],
  ])('node_type %s → %s', (raw, type) => {
    expect(normaliseNodeType(raw)).toBe(type);
  });

  it.each([
    [0, 0, 0],
    [100, 0, 100],
    [0, 30, 30],
    [100, 30, 30],
    [0.5, 0, 1],
    [12.9, 0, 12],
  ])('speed_limit(user %d, node %d) = %d', (user, node, expected) => {
    expect(uniproxySpeedLimit(user, node)).toBe(expected);
  });

  it('the V2Board ETag matches the bare sha1 anywhere in If-None-Match, never an empty header', () => {
    const tag = V2BOARD_ETAG.tag('{"users":[]}');
    expect(tag).toMatch(/^"[0-9a-f]{40}"$/);
    const hex = tag.slice(1, -1);
    for (const inm of [tag, hex, `W/${tag}`, `"a", ${tag}`])
      expect(V2BOARD_ETAG.matches(inm, tag)).toBe(true);
    for (const inm of [undefined, '', '"other"'])
      expect(V2BOARD_ETAG.matches(inm, tag)).toBe(false);
  });
});
