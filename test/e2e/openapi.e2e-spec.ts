import SwaggerParser from '@apidevtools/swagger-parser';
import { isDocsRoute, listRoutes, toOpenApiPath } from '../utils/routes';
import { bootTestApi, TestApi } from '../utils/test-app';

describe('OpenAPI document', () => {
  let api: TestApi;
  let doc: Record<string, any>;
  beforeAll(async () => {
    api = await bootTestApi();
    doc = (await api.http.get('/docs-json').expect(200)).body;
  });
  afterAll(() => api.close());

  it('is a valid OpenAPI 3 document', async () => {
    expect(doc.openapi).toMatch(/^3\./);
    await expect(SwaggerParser.validate(structuredClone(doc) as never)).resolves.toBeTruthy();
  });

  it('documents every route the app serves, and nothing it does not', () => {
    const served = listRoutes(api.app)
      .filter((r) => !isDocsRoute(r.path))
      .map((r) => `${r.method} ${toOpenApiPath(r.path)}`)
      .sort();
    const documented = Object.entries(doc.paths as Record<string, Record<string, unknown>>)
      .flatMap(([path, ops]) =>
        Object.keys(ops)
          .filter((m) => ['get', 'post', 'put', 'patch', 'delete'].includes(m))
          .map((m) => `${m.toUpperCase()} ${path}`),
      )
      .sort();
    expect(served.length).toBeGreaterThan(5);
    expect(documented).toEqual(served);
  });

  it('gives every operation a tag and at least one documented response', () => {
    const incomplete: string[] = [];
    for (const [path, ops] of Object.entries(doc.paths as Record<string, Record<string, any>>)) {
      for (const [method, op] of Object.entries(ops)) {
        if (!op.tags?.length || !Object.keys(op.responses ?? {}).length)
          incomplete.push(`${method} ${path}`);
      }
    }
    expect(incomplete).toEqual([]);
  });

  it('serves the Swagger UI at /docs', async () => {
    const res = await api.http.get('/docs').redirects(1).expect(200);
    expect(res.text).toContain('swagger');
  });
});
