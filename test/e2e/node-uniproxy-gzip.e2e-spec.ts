import { gunzipSync } from 'node:zlib';
import type request from 'supertest';
import {
  createNode,
  createNodeUser,
  muQuery,
} from '../factories/node.factory.js';
import { API, createTestApp, TestApp } from '../utils/test-app.js';
import { agentQuery, UNIPROXY } from '../utils/uniproxy-agents.js';

/** Collects the bytes as they came over the wire (no transparent gunzip). */
const rawBytes = (
  res: request.Response,
  done: (err: Error | null, body: Buffer) => void,
) => {
  const chunks: Buffer[] = [];
  res.on('data', (c: Buffer) => chunks.push(c));
  res.on('end', () => done(null, Buffer.concat(chunks)));
};

/**
 * Every node-agent list route gzips when Accept-Encoding allows it: Go's net/http Transport,
 * which XrayR, V2bX and soga use through resty, sends `Accept-Encoding: gzip` on its own and
 * decompresses transparently. ETags and 304s are those of the content, unchanged.
 */
describe('node API: gzip on the node-agent list routes (e2e)', () => {
  let t: TestApp;
  let nodeId: number;

  beforeAll(async () => {
    t = await createTestApp();
    nodeId = (
      await createNode(t.dataSource, {
        sort: 14,
        server: 'tj.example.com',
        customConfig: JSON.stringify({ offset_port_node: 443 }),
      })
    ).id;
    for (let i = 0; i < 6; i++)
      await Promise.all(
        Array.from({ length: 50 }, () =>
          createNodeUser(t.dataSource, { nodeConnector: 2 }),
        ),
      );
  }, 120_000);
  afterAll(async () => {
    await t?.close();
  });

  const ROUTES: [string, () => [string, Record<string, string | number>]][] = [
    ['/mod_mu/users', () => ['/mod_mu/users', muQuery(nodeId)]],
    [`${API}/node/users`, () => [`${API}/node/users`, muQuery(nodeId)]],
    ['UniProxy user', () => [`${UNIPROXY}/user`, agentQuery(nodeId, 'trojan')]],
  ];

  it.each(ROUTES)(
    '%s: gzip when asked (≤ 0.45× the bytes), identity otherwise, same ETag, 304 unchanged',
    async (_name, target) => {
      const [path, query] = target();
      const get = (encoding: string) =>
        t
          .http()
          .get(path)
          .query(query)
          .set('Accept-Encoding', encoding)
          .buffer(true)
          .parse(rawBytes);
      const plain = await get('identity').expect(200);
      const zipped = await get('gzip').expect(200);
      expect(plain.headers['content-encoding']).toBeUndefined();
      expect(zipped.headers['content-encoding']).toBe('gzip');
      expect(zipped.headers.vary).toBe('Accept-Encoding');
      const plainBytes = Number(plain.headers['content-length']);
      const wireBytes = Number(zipped.headers['content-length']);
      expect(wireBytes / plainBytes).toBeLessThanOrEqual(0.45);
      // superagent may already have gunzipped; either way the content is the identity body.
      const body = zipped.body as Buffer;
      const content = body.length === wireBytes ? gunzipSync(body) : body;
      expect(content.equals(plain.body as Buffer)).toBe(true);
      expect(zipped.headers.etag).toBe(plain.headers.etag);
      // The same bytes again (compressed once per cache fill, then reused).
      const again = await get('gzip, deflate').expect(200);
      expect(again.headers['content-length']).toBe(String(wireBytes));
      await t
        .http()
        .get(path)
        .query(query)
        .set('Accept-Encoding', 'gzip')
        .set('If-None-Match', plain.headers.etag as string)
        .expect(304);
      // gzip;q=0 refuses it.
      const refused = await get('gzip;q=0, identity').expect(200);
      expect(refused.headers['content-encoding']).toBeUndefined();
    },
  );
});
