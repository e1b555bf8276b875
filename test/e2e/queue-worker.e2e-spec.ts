import { AppConfig } from '../../src/config/app-config';
import { QueueService } from '../../src/queue/queue.service';
import { WorkerHostService } from '../../src/queue/worker-host.service';
import { startSmtpSink, SmtpSink } from '../utils/smtp-sink';
import { bootTestApi, TestApi } from '../utils/test-app';
import { bootTestWorker } from '../utils/test-worker';

describe('queue infrastructure: producer in the API, processors in the worker', () => {
  let api: TestApi;
  let smtp: SmtpSink;
  let dataStarted: () => void = () => undefined;

  beforeAll(async () => {
    smtp = await startSmtpSink({ delayDataMs: 1500, onDataStart: () => dataStarted() });
    api = await bootTestApi({ env: { SMTP_URL: smtp.url } });
  });
  afterAll(async () => {
    await api.close();
    await smtp.close();
  });

  const workerConfig = () => AppConfig.fromEnv(api.env);

  it('the worker registers a processor for every job it handles, from the registry', async () => {
    const worker = await bootTestWorker(workerConfig());
    try {
      expect(worker.get(WorkerHostService).handledJobs()).toContain('email.send');
    } finally {
      await worker.close();
    }
  });

  it('enqueues with retry policy and retention, and the worker delivers the e-mail over SMTP', async () => {
    const queues = api.app.get(QueueService);
    const job = await queues.enqueue('email.send', {
      to: 'focal.point@example.org',
      subject: 'Test delivery',
      text: 'Plain body',
      html: '<p>HTML body</p>',
      purpose: 'test',
    });
    expect(job.opts).toMatchObject({
      attempts: 8,
      backoff: { type: 'exponential', delay: 5000 },
      removeOnComplete: { age: 86400, count: 10000 },
    });
    const worker = await bootTestWorker(workerConfig());
    try {
      const [mail] = await smtp.waitFor(1);
      expect(mail.subject).toBe('Test delivery');
      expect(mail.text?.trim()).toBe('Plain body');
      expect(mail.html).toContain('<p>HTML body</p>');
    } finally {
      await worker.close();
    }
  });

  it('a deterministic jobId keeps a duplicate out', async () => {
    const queues = api.app.get(QueueService);
    const payload = { to: 'a@example.org', subject: 's', text: 't', purpose: 'test' };
    const first = await queues.enqueue('email.send', payload, { jobId: 'dedupe-1' });
    const second = await queues.enqueue('email.send', payload, { jobId: 'dedupe-1' });
    expect(second.id).toBe(first.id);
    expect(await queues.queue('email').getJobCountByTypes('waiting')).toBe(1);
    await queues.queue('email').obliterate({ force: true });
  });

  it('graceful shutdown lets the running job finish before the worker stops', async () => {
    const before = smtp.messages.length;
    const worker = await bootTestWorker(workerConfig());
    const started = new Promise<void>((resolve) => (dataStarted = resolve));
    const job = await api.app.get(QueueService).enqueue('email.send', {
      to: 'slow@example.org',
      subject: 'In flight at shutdown',
      text: 'x',
      purpose: 'test',
    });
    await started; // the SMTP transaction is under way (the sink holds it for 1.5 s)
    await worker.close();
    expect(smtp.messages.length).toBe(before + 1);
    expect(await job.getState()).toBe('completed');
  });
});
