import { listRoutes } from '../utils/routes';
import { bootTestApi, TestApi } from '../utils/test-app';

describe('GET /metrics', () => {
  describe('without METRICS_TOKEN', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await bootTestApi();
    });
    afterAll(() => api.close());

    it('exposes HTTP latency by route template, queue depths and job outcomes', async () => {
      await api.http.get('/health').expect(200);
      await api.http.get('/api/v1/countries/FRA').expect(200);
      const res = await api.http.get('/metrics').expect(200);
      expect(res.headers['content-type']).toContain('text/plain');
      expect(res.text).toContain('# TYPE http_request_duration_seconds histogram');
      expect(res.text).toMatch(
        /http_request_duration_seconds_count\{method="GET",route="\/health",status_code="200"\} 1/,
      );
      expect(res.text).toMatch(/route="\/api\/v1\/countries\/:code"/);
      expect(res.text).toMatch(/queue_jobs\{queue="email",state="waiting"\} 0/);
      expect(res.text).toMatch(/queue_job_outcomes_total\{queue="email",outcome="completed"\} 0/);
      expect(res.text).toContain('process_resident_memory_bytes');
    });

    it('walks a short router stack: global and console middleware mounted once each', async () => {
      // Every request walks the Express router's layers until its route. Mounted through
      // Nest's middleware module, a global middleware became a layer per path of its route
      // list (the prefixed API, each excluded path, each console route), and the console's
      // middleware one or two layers per console route: 230 layers besides the routes' own,
      // then 126 with the request log (nestjs-pino) still mounted by Nest. Now the request
      // context, the request log and the timing are one layer each and the console middleware
      // two: 16 layers besides the routes.
      const express = api.app.getHttpAdapter().getInstance() as {
        router: { stack: unknown[] };
      };
      const stack = express.router.stack;
      const notRoutes = stack.length - listRoutes(api.app).length;
      expect(notRoutes).toBeLessThan(25);
      // The timing middleware still sees every request, a 404 included.
      await api.http.get('/api/v1/no-such-route').expect(404);
      const res = await api.http.get('/metrics').expect(200);
      expect(res.text).toMatch(/method="GET",route="[^"]+",status_code="404"\} 1/);
    });
  });

  describe('with METRICS_TOKEN set', () => {
    const token = 'metrics-token-0123456789';
    let api: TestApi;
    beforeAll(async () => {
      api = await bootTestApi({ env: { METRICS_TOKEN: token } });
    });
    afterAll(() => api.close());

    it('refuses a missing or wrong token with 401 and accepts the right one', async () => {
      const missing = await api.http.get('/metrics').expect(401);
      expect(missing.body).toMatchObject({ statusCode: 401, code: 'UNAUTHENTICATED' });
      await api.http
        .get('/metrics')
        .set('Authorization', 'Bearer wrong-token-000000000')
        .expect(401);
      await api.http.get('/metrics').set('Authorization', `Bearer ${token}`).expect(200);
    });
  });
});
