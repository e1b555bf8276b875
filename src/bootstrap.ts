import { INestApplication } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import helmet from 'helmet';
import { Logger } from 'nestjs-pino';
import { ApiModule } from './app.module';
import { HttpExceptionFilter } from './common/http-exception.filter';
import { mountRequestContext } from './common/context/cls';
import { mountRequestLog, requestIdMiddleware } from './common/request-id';
import { createValidationPipe } from './common/validation';
import { AppConfig } from './config/app-config';
import { HttpMetricsMiddleware } from './modules/metrics/metrics.middleware';
import { mountQueueDashboard } from './modules/metrics/queue-dashboard';
// The web console's server-rendered pages (/app) are served outside the API prefix too.
import { CONSOLE_PREFIX } from './modules/console/console.constants';

export const API_PREFIX = 'api/v1';
/** Paths served outside the /api/v1 prefix (contract "General"). */
export const UNPREFIXED = ['health', 'health/ready', 'metrics'];

export function buildOpenApi(app: INestApplication): OpenAPIObject {
  const config = new DocumentBuilder()
    .setTitle('SALW assistance matching platform')
    .setDescription(
      'Matches the small-arms-control assistance needs that States declare (UNGA resolution 62/47, ' +
        'paragraphs 11-13) with the capacity that donors offer. Errors always have the shape ' +
        '`{ statusCode, code, message, details?, requestId }`.',
    )
    .setVersion('1')
    .addBearerAuth({ type: 'http', scheme: 'bearer', bearerFormat: 'JWT' }, 'bearer')
    .addApiKey({ type: 'apiKey', in: 'header', name: 'X-API-Key' }, 'apiKey')
    .build();
  return SwaggerModule.createDocument(app, config);
}

/** Applies every HTTP convention to an API application; shared by main.ts and the tests. */
export function configureApi(app: NestExpressApplication): NestExpressApplication {
  const config = app.get(AppConfig);
  app.useLogger(app.get(Logger));
  app.use(requestIdMiddleware);
  // Global middleware as plain Express middleware, one router layer each (see
  // mountRequestContext): the request context, the request log, then the request timing.
  mountRequestContext(app);
  mountRequestLog(app);
  const timing = app.get(HttpMetricsMiddleware);
  app.use(timing.use.bind(timing));
  app.use(
    helmet({
      contentSecurityPolicy: {
        directives: {
          // Swagger UI needs inline styles and data: images; nothing else loosens the default.
          'style-src': ["'self'", "'unsafe-inline'"],
          'img-src': ["'self'", 'data:'],
        },
      },
    }),
  );
  app.enableCors({
    origin: config.env.CORS_ORIGINS.length ? config.env.CORS_ORIGINS : false,
    credentials: true,
    exposedHeaders: ['ETag', 'X-Request-Id'],
  });
  app.useBodyParser('json', { limit: config.env.BODY_LIMIT });
  app.useBodyParser('urlencoded', { limit: config.env.BODY_LIMIT, extended: false });
  app.set('trust proxy', 'loopback');
  app.setGlobalPrefix(API_PREFIX, {
    exclude: [...UNPREFIXED, CONSOLE_PREFIX, `${CONSOLE_PREFIX}/{*path}`],
  });
  app.useGlobalPipes(createValidationPipe());
  app.useGlobalFilters(new HttpExceptionFilter());
  mountQueueDashboard(app);
  SwaggerModule.setup('docs', app, () => buildOpenApi(app), {
    jsonDocumentUrl: 'docs-json',
    customSiteTitle: 'SALW assistance platform API',
  });
  app.enableShutdownHooks();
  return app;
}

export async function createApi(): Promise<NestExpressApplication> {
  const app = await NestFactory.create<NestExpressApplication>(ApiModule, { bufferLogs: true });
  return configureApi(app);
}
