import { createServer, IncomingMessage } from 'node:http';
import { AddressInfo } from 'node:net';
import { checkWebhookUrl, isPublicAddress, Resolver } from './address-guard';
import { postWebhook } from './webhook-sender';

const answers =
  (table: Record<string, string[]>): Resolver =>
  async (host) => {
    const list = table[host];
    if (!list)
      throw Object.assign(new Error(`getaddrinfo ENOTFOUND ${host}`), { code: 'ENOTFOUND' });
    return list.map((address) => ({ address, family: address.includes(':') ? 6 : 4 }));
  };

describe('address ranges a webhook may reach', () => {
  it.each([
    '10.0.0.1',
    '10.255.255.255',
    '172.16.0.1',
    '172.31.255.254',
    '192.168.1.10',
    '127.0.0.1',
    '127.8.8.8',
    '0.0.0.0',
    '169.254.169.254', // cloud metadata (link-local)
    '100.64.0.1', // carrier-grade NAT
    '224.0.0.1',
    '255.255.255.255',
    '192.0.2.1', // documentation
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456:789a::1',
    'ff02::1',
    '::ffff:127.0.0.1', // IPv4-mapped loopback
    '::ffff:10.1.2.3',
    '::ffff:169.254.169.254',
    '::ffff:7f00:1', // mapped loopback in hex form
    '::127.0.0.1', // IPv4-compatible loopback
    '::10.0.0.1',
    '64:ff9b::a00:1', // NAT64 of 10.0.0.1
    '2002:a00:1::', // 6to4 of 10.0.0.1
    '2001:db8::1', // documentation
    '[::1]',
    'not-an-ip',
    '',
  ])('refuses %s', (address) => {
    expect(isPublicAddress(address)).toBe(false);
  });

  it.each([
    '93.184.216.34',
    '8.8.8.8',
    '172.32.0.1',
    '192.169.0.1',
    '2606:4700:4700::1111',
    '::ffff:8.8.8.8',
  ])('accepts %s', (address) => {
    expect(isPublicAddress(address)).toBe(true);
  });
});

describe('checking a webhook URL at registration', () => {
  const dns = answers({
    'hooks.example.org': ['93.184.216.34'],
    'v6.example.org': ['2606:4700:4700::1111'],
    'internal.example.org': ['10.0.0.7'],
    'mixed.example.org': ['93.184.216.34', '127.0.0.1'],
    'mapped.example.org': ['::ffff:192.168.0.1'],
    localhost: ['127.0.0.1', '::1'],
  });
  const refused = (url: string, insecure = false) => checkWebhookUrl(url, insecure, dns);

  it('accepts https to public addresses and answers the address to connect to', async () => {
    await expect(refused('https://hooks.example.org/salw')).resolves.toMatchObject({
      address: '93.184.216.34',
      family: 4,
    });
    await expect(refused('https://v6.example.org:8443/x?y=1')).resolves.toMatchObject({
      family: 6,
    });
    await expect(refused('https://93.184.216.34/x')).resolves.toMatchObject({
      address: '93.184.216.34',
    });
  });

  it('refuses http, other schemes, credentials and garbage', async () => {
    await expect(refused('http://hooks.example.org/')).rejects.toThrow('url must use https');
    await expect(refused('ftp://hooks.example.org/')).rejects.toThrow('url must use https');
    await expect(refused('https://user:pw@hooks.example.org/')).rejects.toThrow('credentials');
    await expect(refused('hooks.example.org')).rejects.toThrow('absolute URL');
  });

  it('refuses hosts resolving (even partly) to private, loopback or link-local addresses', async () => {
    await expect(refused('https://internal.example.org/')).rejects.toThrow(/private.*10\.0\.0\.7/);
    await expect(refused('https://mixed.example.org/')).rejects.toThrow('127.0.0.1');
    await expect(refused('https://mapped.example.org/')).rejects.toThrow('::ffff:192.168.0.1');
    await expect(refused('https://localhost/')).rejects.toThrow('private');
    await expect(refused('https://127.0.0.1/')).rejects.toThrow('private');
    await expect(refused('https://[::1]:8443/')).rejects.toThrow('private');
    await expect(refused('https://[::ffff:127.0.0.1]/')).rejects.toThrow('private');
    await expect(refused('https://169.254.169.254/latest/meta-data')).rejects.toThrow('private');
    await expect(refused('https://nowhere.example.org/')).rejects.toThrow('does not resolve');
  });

  it('in development (WEBHOOK_ALLOW_INSECURE) admits http and loopback', async () => {
    await expect(refused('http://127.0.0.1:9999/hook', true)).resolves.toMatchObject({
      address: '127.0.0.1',
    });
    await expect(refused('http://localhost/hook', true)).resolves.toBeDefined();
    await expect(refused('ftp://localhost/hook', true)).rejects.toThrow('https');
  });
});

describe('sending to the checked address (no second DNS answer)', () => {
  it('connects to the address the check resolved, keeping the host name in the request', async () => {
    const seen: { host?: string; body: string }[] = [];
    const server = createServer((req: IncomingMessage, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', () => {
        seen.push({ host: req.headers.host, body });
        res.statusCode = 204;
        res.end();
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    let lookups = 0;
    // The name exists only in this resolver: the request can only arrive through the pinned address.
    const resolve: Resolver = async () => {
      lookups++;
      return [{ address: '127.0.0.1', family: 4 }];
    };
    try {
      const ok = await postWebhook(
        `http://hooks.invalid:${port}/in`,
        '{"a":1}',
        {},
        {
          timeoutMs: 2000,
          allowInsecure: true,
          resolve,
        },
      );
      expect(ok).toMatchObject({ ok: true, statusCode: 204, error: null });
      expect(seen).toEqual([{ host: `hooks.invalid:${port}`, body: '{"a":1}' }]);
      expect(lookups).toBe(1);

      // Without the development setting the same answer is refused before any connection.
      const refused = await postWebhook(
        `https://hooks.invalid:${port}/in`,
        '{}',
        {},
        {
          timeoutMs: 2000,
          allowInsecure: false,
          resolve,
        },
      );
      expect(refused).toMatchObject({ ok: false, statusCode: null });
      expect(refused.error).toMatch(/private, loopback/);
      expect(seen).toHaveLength(1);
    } finally {
      await new Promise<void>((r) => server.close(() => r()));
    }
  });

  it('reports a non-2xx answer and a timeout as failures', async () => {
    const server = createServer((req, res) => {
      if (req.url === '/slow') return; // never answers
      res.statusCode = 503;
      res.end('down');
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    const port = (server.address() as AddressInfo).port;
    try {
      const down = await postWebhook(
        `http://127.0.0.1:${port}/x`,
        '{}',
        {},
        {
          timeoutMs: 2000,
          allowInsecure: true,
        },
      );
      expect(down).toMatchObject({ ok: false, statusCode: 503, error: 'HTTP 503' });
      const slow = await postWebhook(
        `http://127.0.0.1:${port}/slow`,
        '{}',
        {},
        {
          timeoutMs: 300,
          allowInsecure: true,
        },
      );
      expect(slow).toMatchObject({ ok: false, statusCode: null });
      expect(slow.error).toMatch(/no response within 300 ms/);
    } finally {
      server.closeAllConnections();
      await new Promise<void>((r) => server.close(() => r()));
    }
  });
});
