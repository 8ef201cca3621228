import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PREFIX, isUnprefixedPath } from '../../src/common/http/routes.js';
import { listRoutes } from '../../src/common/http/route-inventory.js';
import { toOpenApiPath } from '../../src/modules/docs/openapi.js';
import { expectedAccess } from '../utils/route-access.js';
import { createTestApp, TestApp } from '../utils/test-app.js';

interface Operation {
  security?: Record<string, string[]>[];
  responses: Record<
    string,
    {
      content?: Record<
        string,
        { schema?: { properties?: Record<string, unknown> } }
      >;
    }
  >;
  requestBody?: unknown;
}

interface OpenApiDoc {
  paths: Record<string, Record<string, Operation>>;
  components: {
    securitySchemes: Record<string, unknown>;
    schemas: Record<string, { properties?: object }>;
  };
}

const EXPECTED_SCHEMES = {
  public: [],
  user: ['bearer'],
  admin: ['bearer'],
  node: ['node-key-header', 'node-key-query'],
};

describe('OpenAPI documentation (e2e)', () => {
  let t: TestApp;
  let doc: OpenApiDoc;

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_DEBUG: 'true' } });
    doc = (await t.http().get('/docs-json').expect(200)).body as OpenApiDoc;
  });
  afterAll(async () => {
    await t?.close();
  });

  it('serves the Swagger UI at /docs', async () => {
    const res = await t.http().get('/docs/').redirects(1);
    expect(res.status).toBe(200);
    expect(res.text).toContain('swagger');
  });

  it('documents every registered route with its auth scheme and error responses', () => {
    const routes = listRoutes(t.app, API_PREFIX, isUnprefixedPath);
    expect(routes.length).toBeGreaterThan(50);
    for (const route of routes) {
      const name = `${route.method} ${route.path}`;
      const op =
        doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()];
      expect({ name, documented: Boolean(op) }).toEqual({
        name,
        documented: true,
      });
      // The access level the path calls for, not the guard metadata the builder reads.
      const access = expectedAccess(route.method, route.path);
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
      // V2Board's UniProxy agents send the node key as `token`.
      const uniproxy = route.path.startsWith('/api/v1/server/UniProxy/');
      expect({ name, schemes }).toEqual({
        name,
        schemes: uniproxy ? ['node-token-query'] : EXPECTED_SCHEMES[access],
      });
      const statuses = Object.keys(op.responses);
      const errors = {
        public: [],
        user: ['401'],
        admin: ['401', '403'],
        node: ['401'],
      }[access];
      expect({ name, statuses }).toEqual({
        name,
        statuses: expect.arrayContaining(errors),
      });
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'bearer',
      'node-key-header',
      'node-key-query',
      'node-token-query',
    ]);
  });

  it('describes bodies and envelopes from the DTOs', () => {
    const register = doc.paths['/app/api/v0/auth/register'].post;
    expect(JSON.stringify(register.requestBody)).toContain('RegisterDto');
    const info =
      doc.paths['/app/api/v0/user/info'].get.responses['200'].content?.[
        'application/json'
      ].schema;
    expect(Object.keys(info?.properties ?? {})).toEqual(['ret', 'msg', 'data']);
    const schemas = doc.components.schemas;
    expect(Object.keys(schemas.RegisterDto.properties ?? {})).toEqual(
      expect.arrayContaining(['email', 'password', 'invite_code']),
    );
    expect(Object.keys(schemas.UserInfoDto.properties ?? {})).toEqual(
      expect.arrayContaining(['money', 'transfer_enable']),
    );
  });

  it('src/generated/openapi-metadata.ts is current (run `npm run openapi:metadata` after changing DTOs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-meta-'));
    try {
      execFileSync(
        process.execPath,
        ['scripts/generate-openapi-metadata.mjs', dir],
        { stdio: 'pipe' },
      );
      // The generator orders modules by the TypeScript program's file order, which depends on
      // what the current file imports: compare the lines, not their order.
      const lines = (path: string) =>
        readFileSync(path, 'utf8').split('\n').sort();
      expect(lines(join(dir, 'openapi-metadata.ts'))).toEqual(
        lines('src/generated/openapi-metadata.ts'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
