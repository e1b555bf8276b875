import { ClsStore } from 'nestjs-cls';
import type { Principal } from '../access/roles';

/** What the platform keeps for the duration of one request or job (nestjs-cls). */
export interface RequestContext extends ClsStore {
  requestId?: string;
  jobId?: string;
  principal?: Principal;
  ip?: string;
  userAgent?: string;
}
