import { Injectable } from '@nestjs/common';
import { AppConfig } from '../../../config/app-config';
import { SecretBox } from '../../auth/secret-box';

/**
 * Signing secrets at rest. They are encrypted (AES-256-GCM, bound to the endpoint id), not
 * hashed: the platform must recover the secret to compute each HMAC signature, which a hash
 * would not allow. The plaintext is shown once, at creation.
 */
@Injectable()
export class WebhookSecrets {
  private readonly box: SecretBox;

  constructor(config: AppConfig) {
    this.box = new SecretBox(config.env.JWT_SECRET, 'webhook-signing-secret');
  }

  seal(secret: string, endpointId: string): string {
    return this.box.seal(secret, endpointId);
  }

  open(sealed: string, endpointId: string): string {
    return this.box.open(sealed, endpointId);
  }
}
