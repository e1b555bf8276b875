import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { INestApplication } from '@nestjs/common';
import type { NextFunction, Request, Response } from 'express';
import { Authenticator } from '../../common/access/authenticator';
import { hasRole } from '../../common/access/roles';
import { HttpExceptionFilter } from '../../common/http-exception.filter';
import { AppException } from '../../common/errors';
import { QueueService } from '../../queue/queue.service';

export const QUEUE_DASHBOARD_PATH = '/admin/queues';

/**
 * The BullMQ dashboard (bull-board) at /admin/queues, for administrators only: a bearer
 * access token or an API key with the admin role.
 */
export function mountQueueDashboard(app: INestApplication): void {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(QUEUE_DASHBOARD_PATH);
  createBullBoard({
    queues: app
      .get(QueueService)
      .allQueues()
      .map((q) => new BullMQAdapter(q)),
    serverAdapter,
  });
  const authenticator = app.get(Authenticator);
  const filter = new HttpExceptionFilter();
  const adminOnly = async (req: Request & { id?: string }, res: Response, next: NextFunction) => {
    try {
      const principal = await authenticator.authenticate(req);
      if (!principal) throw new AppException('UNAUTHENTICATED', 'Authentication required');
      if (!hasRole(principal, 'admin'))
        throw new AppException('FORBIDDEN', 'Requires the admin role');
      next();
    } catch (error) {
      const body = filter.toBody(error, String(req.id ?? ''));
      res.status(body.statusCode).json(body);
    }
  };
  app.use(QUEUE_DASHBOARD_PATH, adminOnly, serverAdapter.getRouter());
}
