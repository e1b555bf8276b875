import { bootTestApi, TestApi } from '../utils/test-app';

describe('health and readiness', () => {
  describe('with PostgreSQL and Redis up', () => {
    let api: TestApi;
    beforeAll(async () => {
      api = await bootTestApi();
    });
    afterAll(() => api.close());

    it('GET /health answers 200 without the /api/v1 prefix', async () => {
      const res = await api.http.get('/health').expect(200);
      expect(res.body).toEqual({ status: 'ok' });
      expect(res.headers['x-request-id']).toBeTruthy();
    });

    it('GET /health/ready answers 200 with each dependency up', async () => {
      const res = await api.http.get('/health/ready').expect(200);
      expect(res.body).toEqual({ status: 'ready', checks: { database: 'up', redis: 'up' } });
    });

    it('unknown paths answer 404 in the error shape with the request id', async () => {
      const res = await api.http
        .get('/api/v1/nowhere')
        .set('X-Request-Id', 'test-request-0001')
        .expect(404);
      expect(res.body).toEqual({
        statusCode: 404,
        code: 'NOT_FOUND',
        message: expect.any(String),
        requestId: 'test-request-0001',
      });
    });

    it('malformed JSON answers 400, never 500', async () => {
      const res = await api.http
        .post('/api/v1/nowhere')
        .set('Content-Type', 'application/json')
        .send('{"broken":')
        .expect(400);
      expect(res.body).toMatchObject({
        statusCode: 400,
        code: 'BAD_REQUEST',
        requestId: expect.any(String),
      });
    });

    it('sets security headers (helmet)', async () => {
      const res = await api.http.get('/health').expect(200);
      expect(res.headers['x-content-type-options']).toBe('nosniff');
      expect(res.headers['content-security-policy']).toContain("default-src 'self'");
    });
  });

  describe('with Redis unreachable', () => {
    let api: TestApi;
    beforeAll(async () => {
      // Nothing listens on port 1: the API must still start and serve.
      api = await bootTestApi({ env: { REDIS_URL: 'redis://127.0.0.1:1' } });
    });
    afterAll(() => api.close());

    it('starts, stays live, and /health/ready answers 503 naming Redis only', async () => {
      await api.http.get('/health').expect(200);
      const res = await api.http.get('/health/ready').expect(503);
      expect(res.body).toMatchObject({
        statusCode: 503,
        code: 'NOT_READY',
        message: expect.stringContaining('redis'),
        details: { failing: ['redis'], checks: { database: 'up', redis: 'down' } },
        requestId: expect.any(String),
      });
      expect(res.body.message).not.toContain('database');
    });
  });
});
