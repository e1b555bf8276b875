import { lookup } from 'node:dns/promises';
import { isIP } from 'node:net';
import ipaddr from 'ipaddr.js';

/**
 * Server-side request forgery guard for webhooks. Only globally routable unicast addresses are
 * acceptable: private, loopback, link-local, unique-local, carrier-grade NAT, multicast,
 * reserved and documentation ranges are refused, in IPv4 and IPv6, and an IPv6 address that
 * embeds an IPv4 one (mapped `::ffff:a.b.c.d`, compatible `::a.b.c.d`) is judged by the IPv4
 * address. Translation prefixes (6to4, Teredo, NAT64) are refused too: they can reach
 * internal IPv4 hosts.
 */
export function isPublicAddress(address: string): boolean {
  const bare = address.replace(/^\[|\]$/g, '').split('%')[0];
  if (!ipaddr.isValid(bare)) return false;
  let parsed = ipaddr.parse(bare);
  if (parsed.kind() === 'ipv6') {
    const v6 = parsed as ipaddr.IPv6;
    if (v6.isIPv4MappedAddress()) parsed = v6.toIPv4Address();
    else if (
      v6.parts.slice(0, 6).every((p) => p === 0) &&
      !(v6.parts[6] === 0 && v6.parts[7] <= 1)
    ) {
      // IPv4-compatible (deprecated) `::a.b.c.d`; `::` and `::1` stay IPv6.
      parsed = ipaddr.IPv4.parse(
        `${v6.parts[6] >> 8}.${v6.parts[6] & 255}.${v6.parts[7] >> 8}.${v6.parts[7] & 255}`,
      );
    }
  }
  return parsed.range() === 'unicast';
}

export type Resolver = (host: string) => Promise<{ address: string; family: number }[]>;

export const systemResolver: Resolver = (host) => lookup(host, { all: true, verbatim: true });

export interface CheckedTarget {
  url: URL;
  /** Where to connect: a checked address, so DNS cannot change between check and connect. */
  address: string;
  family: 4 | 6;
}

export class UnsafeUrlError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UnsafeUrlError';
  }
}

/**
 * Parses and checks a webhook URL, resolving its host: https only, no credentials, every
 * resolved address public — unless `allowInsecure` (development), which also admits http and
 * loopback or private addresses. Throws UnsafeUrlError with a message for the `url` field.
 */
export async function checkWebhookUrl(
  raw: string,
  allowInsecure: boolean,
  resolve: Resolver = systemResolver,
): Promise<CheckedTarget> {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new UnsafeUrlError('url must be an absolute URL');
  }
  if (url.protocol !== 'https:' && !(allowInsecure && url.protocol === 'http:')) {
    throw new UnsafeUrlError('url must use https');
  }
  if (url.username || url.password) {
    throw new UnsafeUrlError('url must not contain credentials');
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  let addresses: { address: string; family: number }[];
  if (isIP(host)) {
    addresses = [{ address: host, family: isIP(host) }];
  } else {
    try {
      addresses = await resolve(host);
    } catch {
      throw new UnsafeUrlError(`url host ${host} does not resolve`);
    }
    if (!addresses.length) throw new UnsafeUrlError(`url host ${host} does not resolve`);
  }
  if (!allowInsecure) {
    const refused = addresses.filter((a) => !isPublicAddress(a.address));
    if (refused.length) {
      throw new UnsafeUrlError(
        `url resolves to a private, loopback, link-local or reserved address (${refused
          .map((a) => a.address)
          .join(', ')})`,
      );
    }
  }
  const first = addresses[0];
  return { url, address: first.address, family: first.family === 6 ? 6 : 4 };
}
