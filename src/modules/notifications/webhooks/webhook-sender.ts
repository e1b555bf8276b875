import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';
import { checkWebhookUrl, Resolver, systemResolver, UnsafeUrlError } from './address-guard';

export interface WebhookResponse {
  ok: boolean;
  statusCode: number | null;
  durationMs: number;
  error: string | null;
}

/** A `lookup` that always answers the address checked beforehand (no second DNS query). */
function pinnedLookup(address: string, family: 4 | 6): LookupFunction {
  return ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
    if (options?.all) callback(null, [{ address, family }]);
    else callback(null, address, family);
  }) as unknown as LookupFunction;
}

/**
 * POSTs one signed webhook. The host is resolved and every address checked here, then the
 * connection goes to the checked address (TLS still verifies the certificate for the host
 * name), so a DNS answer that changes after the check (rebinding) cannot reach an internal
 * address. Redirects are not followed; 2xx is success; the response body is discarded.
 */
export async function postWebhook(
  rawUrl: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; allowInsecure: boolean; resolve?: Resolver },
): Promise<WebhookResponse> {
  const started = Date.now();
  let target;
  try {
    target = await checkWebhookUrl(
      rawUrl,
      options.allowInsecure,
      options.resolve ?? systemResolver,
    );
  } catch (error) {
    const message = error instanceof UnsafeUrlError ? error.message : String(error);
    return { ok: false, statusCode: null, durationMs: Date.now() - started, error: message };
  }
  const { url, address, family } = target;
  const client = url.protocol === 'https:' ? https : http;
  return new Promise<WebhookResponse>((resolve) => {
    let settled = false;
    const done = (statusCode: number | null, error: string | null) => {
      if (settled) return;
      settled = true;
      const ok = error === null && statusCode !== null && statusCode >= 200 && statusCode < 300;
      resolve({
        ok,
        statusCode,
        durationMs: Date.now() - started,
        error: ok ? null : (error ?? `HTTP ${statusCode}`),
      });
    };
    const request = client.request(
      {
        protocol: url.protocol,
        hostname: url.hostname.replace(/^\[|\]$/g, ''),
        port: url.port || undefined,
        path: `${url.pathname}${url.search}`,
        method: 'POST',
        agent: false,
        lookup: pinnedLookup(address, family),
        timeout: options.timeoutMs,
        headers: {
          'Content-Type': 'application/json',
          'Content-Length': String(Buffer.byteLength(body)),
          'User-Agent': 'salw-platform-webhooks/1',
          ...headers,
        },
      },
      (response) => {
        response.resume(); // discard the body
        response.on('end', () => done(response.statusCode ?? null, null));
        response.on('error', (e) => done(response.statusCode ?? null, e.message));
      },
    );
    const timer = setTimeout(() => {
      request.destroy(new Error(`no response within ${options.timeoutMs} ms`));
    }, options.timeoutMs);
    request.on('timeout', () =>
      request.destroy(new Error(`no response within ${options.timeoutMs} ms`)),
    );
    request.on('error', (e) => done(null, e.message));
    request.on('close', () => clearTimeout(timer));
    request.end(body);
  });
}
