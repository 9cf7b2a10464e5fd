import { DtsTrustError } from '../domain/errors.js';

/** A dry run tried to write: a defect, never a state of the world. */
export class ReadOnlyStoreError extends DtsTrustError {
  constructor(message: string) {
    super('ReadOnlyStore', message);
    this.name = 'ReadOnlyStoreError';
  }
}
