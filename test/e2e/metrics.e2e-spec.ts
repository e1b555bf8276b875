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
