import type { Request } from 'express';
import type { Principal } from './roles';

/**
 * Turns a request's credentials (bearer access token or API key) into a principal.
 * Returns null when the request carries no credentials; throws 401 (AppException
 * 'UNAUTHENTICATED') when it carries bad, expired or revoked ones. Implemented by the auth module.
 */
export abstract class Authenticator {
  abstract authenticate(req: Request): Promise<Principal | null>;
}
