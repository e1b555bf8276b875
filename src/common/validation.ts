import { ValidationError, ValidationPipe } from '@nestjs/common';
import { AppException, FieldProblem } from './errors';

/** Flattens class-validator's tree into `[{ field: 'budget.total', messages: [...] }]`. */
export function flattenValidationErrors(errors: ValidationError[], parent = ''): FieldProblem[] {
  const out: FieldProblem[] = [];
  for (const error of errors) {
    const field = parent ? `${parent}.${error.property}` : error.property;
    if (error.constraints) {
      out.push({
        field,
        messages: Object.entries(error.constraints).map(([rule, message]) =>
          rule === 'whitelistValidation' ? `${field} is not a recognised field` : message,
        ),
      });
    }
    if (error.children?.length) out.push(...flattenValidationErrors(error.children, field));
  }
  return out;
}

/** Global pipe: unknown fields are refused, types are converted, every problem is named. */
export function createValidationPipe(): ValidationPipe {
  return new ValidationPipe({
    whitelist: true,
    forbidNonWhitelisted: true,
    transform: true,
    transformOptions: { enableImplicitConversion: false },
    stopAtFirstError: false,
    exceptionFactory: (errors) => {
      const details = flattenValidationErrors(errors);
      return new AppException(
        'VALIDATION_FAILED',
        `Invalid input: ${details.map((d) => d.field).join(', ')}`,
        details,
      );
    },
  });
}
