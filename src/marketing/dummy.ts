// The default onboarding backend: does nothing, so sign-ups work with no marketing service.
import type { MarketingBackend } from './backend.ts';

export class DummyBackend implements MarketingBackend {
  readonly name = 'dummy';
  async signup(): Promise<void> {}
}
