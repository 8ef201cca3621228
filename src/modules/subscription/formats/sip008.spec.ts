import {
  EXTRA_ROWS,
  UUID,
  VECTOR_ROWS,
  entry,
  profile,
} from '../../../../test/fixtures/subscription/profile-fixtures.js';
import { type Sip008Document, renderSip008 } from './sip008.js';

const ALL_ROWS = [...Object.values(VECTOR_ROWS), ...Object.values(EXTRA_ROWS)];
const UUID_SHAPE =
  /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function rendered(
  input = profile(ALL_ROWS.map((r) => entry(r))),
): Sip008Document {
  const out = renderSip008(input);
  expect(out).toMatchObject({
    contentType: 'application/json; charset=utf-8',
    extension: 'json',
  });
  return JSON.parse(out.body) as Sip008Document;
}

describe('sip008', () => {
  it('keeps only Shadowsocks and Shadowsocks 2022 entries', () => {
    const doc = rendered();
    expect(doc.version).toBe(1);
    expect(doc.servers.map((s) => s.remarks)).toEqual([
      'HK 01',
      'JP SS2022',
      'SS obfs',
      'SS v2ray-plugin',
      'SS IPv6',
      'SS2022 256',
    ]);
  });

  it('carries the SIP008 fields, plugins and the 2022 <server>:<user> password', () => {
    const doc = rendered();
    expect(doc.servers[0]).toEqual({
      id: expect.stringMatching(UUID_SHAPE),
      remarks: 'HK 01',
      server: 'hk1.example.com',
      server_port: 8388,
      password: UUID,
      method: 'aes-256-gcm',
    });
    expect(doc.servers[1]).toMatchObject({
      method: '2022-blake3-aes-128-gcm',
      password: 'MjQ5MjBkZWNmODNmNjk2MA==:M2I4ZTRiNWMtMWMxZi00YQ==',
    });
    expect(doc.servers[2]).toMatchObject({
      plugin: 'obfs-local',
      plugin_opts: 'obfs=http;obfs-host=www.bing.com',
    });
    expect(doc.servers[4]).toMatchObject({
      server: '2001:db8::1',
      server_port: 10007,
    });
    for (const key of ['bytes_used', 'bytes_remaining'])
      expect(doc).not.toHaveProperty(key);
  });

  it('server ids are UUIDs stable across fetches and distinct per node', () => {
    const ids = rendered().servers.map((s) => s.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(rendered().servers.map((s) => s.id)).toEqual(ids);
  });

  it('adds bytes_used / bytes_remaining when usage is given', () => {
    const doc = rendered({
      ...profile([entry(VECTOR_ROWS.V1)]),
      usage: { bytesUsed: 3221225472, bytesRemaining: 104152956928 },
    });
    expect(doc).toMatchObject({
      bytes_used: 3221225472,
      bytes_remaining: 104152956928,
    });
  });
});
