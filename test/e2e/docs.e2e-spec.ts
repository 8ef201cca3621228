import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { API_PREFIX, isUnprefixedPath } from '../../src/app.setup.js';
import { listRoutes } from '../../src/common/http/route-inventory.js';
import { toOpenApiPath } from '../../src/modules/docs/openapi.js';
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

describe('OpenAPI documentation (e2e)', () => {
  let t: TestApp;
  let doc: {
    paths: Record<string, Record<string, Operation>>;
    components: { securitySchemes: Record<string, unknown> };
  };

  beforeAll(async () => {
    t = await createTestApp({ env: { PAYMENT_DEBUG: 'true' } });
    doc = (await t.http().get('/docs-json').expect(200)).body;
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
      const op =
        doc.paths[toOpenApiPath(route.path)]?.[route.method.toLowerCase()];
      expect({
        route: `${route.method} ${route.path}`,
        documented: Boolean(op),
      }).toEqual({
        route: `${route.method} ${route.path}`,
        documented: true,
      });
      const schemes = (op.security ?? []).flatMap((s) => Object.keys(s));
      const expected = {
        public: [],
        user: ['bearer'],
        admin: ['bearer'],
        node: ['node-key-header', 'node-key-query'],
      };
      expect(schemes).toEqual(expected[route.access]);
      if (route.access === 'admin')
        expect(Object.keys(op.responses)).toEqual(
          expect.arrayContaining(['401', '403']),
        );
      if (route.access === 'user')
        expect(Object.keys(op.responses)).toContain('401');
    }
    expect(Object.keys(doc.components.securitySchemes).sort()).toEqual([
      'bearer',
      'node-key-header',
      'node-key-query',
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
    const schemas = (
      doc as unknown as {
        components: { schemas: Record<string, { properties?: object }> };
      }
    ).components.schemas;
    expect(Object.keys(schemas.RegisterDto.properties ?? {})).toEqual(
      expect.arrayContaining(['email', 'password', 'invite_code']),
    );
    expect(Object.keys(schemas.UserInfoDto.properties ?? {})).toEqual(
      expect.arrayContaining(['money', 'transfer_enable']),
    );
  });

  it('src/openapi-metadata.ts is current (run `npm run openapi:metadata` after changing DTOs)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'openapi-meta-'));
    try {
      execFileSync(
        process.execPath,
        ['scripts/generate-openapi-metadata.mjs', dir],
        { stdio: 'pipe' },
      );
      expect(readFileSync(join(dir, 'openapi-metadata.ts'), 'utf8')).toBe(
        readFileSync('src/openapi-metadata.ts', 'utf8'),
      );
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
