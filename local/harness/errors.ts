/**
 * The error the harness and the demo raise when the local setup they drive is not as they expect (s.yaml without
 * the trigger, a console edit the local cloud refused, a message the trigger never delivered). They are tools
 * around the product, not the product, so they do not raise the product's errors.
 */
export class HarnessError extends Error {
  /** `DemoSetup` (the setup is not as expected) or `ConsoleEditFailed` (the local cloud refused an edit). */
  readonly code: string;

  constructor(code: 'DemoSetup' | 'ConsoleEditFailed', message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'HarnessError';
    this.code = code;
  }
}
