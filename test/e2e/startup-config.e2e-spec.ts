import { runTs } from '../utils/run-node';

describe('configuration is validated at boot', () => {
  it.each(['src/main.ts', 'src/worker.ts'])(
    '%s stops with one message naming each missing or malformed variable',
    async (entry) => {
      const result = await runTs(entry, [], {
        DATABASE_URL: 'mysql://localhost/nope',
        PORT: 'not-a-port',
        METRICS_TOKEN: 'short',
      });
      expect(result.code).toBe(78);
      expect(result.stdout).toBe('');
      const message = result.stderr;
      expect(message.match(/Invalid configuration:/g)).toHaveLength(1);
      for (const variable of ['DATABASE_URL', 'REDIS_URL', 'JWT_SECRET', 'PORT', 'METRICS_TOKEN']) {
        expect(message).toMatch(new RegExp(`- ${variable}: `));
      }
      expect(message).toContain('REDIS_URL: is required');
      expect(message).toContain('DATABASE_URL: must be a URL with scheme postgres or postgresql');
    },
  );
});
