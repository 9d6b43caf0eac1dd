// The team webhooks slice (DESIGN.md §12): what the app wires together.
export { type Deliver, type Delivery, retryDelayMs, WEBHOOK_JOB, webhookJobHandler } from './delivery.ts';
export { webhookRoutes, webhookSchema } from './routes.ts';
export { WebhookSecrets } from './secrets.ts';
export { type UrlCheck, WebhookService } from './service.ts';
