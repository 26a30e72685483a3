// Errors of the project store. Each names the file, what is wrong and what to do; `code` matches the
// API's error codes (api/contract.ts) so services pass them on unchanged.
import type { ApiErrorCode } from '../../../api/contract';

export type StoreErrorCode = Extract<
  ApiErrorCode,
  'not-found' | 'not-a-project' | 'corrupt' | 'newer-schema' | 'locked' | 'exists' | 'invalid' | 'io'
>;

export class StoreError extends Error {
  constructor(readonly code: StoreErrorCode, message: string) {
    super(message);
    this.name = 'StoreError';
  }
}
