import { registerDecorator, ValidationOptions } from 'class-validator';
import { isIsoCurrency } from './currencies';

/** class-validator rule: an ISO 4217 code in upper case (e.g. USD, EUR, XOF). */
export function IsIsoCurrency(options?: ValidationOptions) {
  return (object: object, propertyName: string) =>
    registerDecorator({
      name: 'isIsoCurrency',
      target: object.constructor,
      propertyName,
      options: { message: `${propertyName} must be an ISO 4217 currency code`, ...options },
      validator: {
        validate: (value: unknown) => typeof value === 'string' && isIsoCurrency(value),
      },
    });
}
