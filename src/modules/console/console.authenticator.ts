import { Injectable } from '@nestjs/common';
import type { Request } from 'express';
import { Authenticator } from '../../common/access/authenticator';
import type { Principal } from '../../common/access/roles';
import { isConsolePath, SESSION_COOKIE } from './console.constants';
import { ConsoleSessionService, ConsoleUser } from './console-session.service';

export type ConsoleRequest = Request & {
  cookies?: Record<string, string | undefined>;
  /** Set once the session cookie was looked up (null: no live session). */
  consoleUser?: ConsoleUser | null;
};

/**
 * The API's authenticator plus the console's session cookie. The cookie counts only on console
 * paths (whose form posts are CSRF-checked) and only when no Authorization or X-API-Key header
 * is sent; everything else goes to the API's own authenticator, unchanged.
 */
@Injectable()
export class ConsoleAuthenticator extends Authenticator {
  constructor(
    private readonly api: Authenticator,
    private readonly sessions: ConsoleSessionService,
  ) {
    super();
  }

  async authenticate(req: ConsoleRequest): Promise<Principal | null> {
    const headers =
      req.header('authorization') !== undefined || req.header('x-api-key') !== undefined;
    if (headers || !isConsolePath(req.path)) return this.api.authenticate(req);
    return (await consoleUserOf(req, this.sessions))?.principal ?? null;
  }
}

/** The signed-in console user of a request, looked up once per request. */
export async function consoleUserOf(
  req: ConsoleRequest,
  sessions: ConsoleSessionService,
): Promise<ConsoleUser | null> {
  if (req.consoleUser === undefined) {
    req.consoleUser = await sessions.userOf(req.cookies?.[SESSION_COOKIE]);
  }
  return req.consoleUser;
}
