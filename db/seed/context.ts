import type { FieldCipher } from '../../service/src/platform/field-cipher';
import type { SeedOptions } from './options';
import type { SeedRandom } from './random';

/** What every generator needs: the options, the two random sources, the cipher and the shared password hash. */
export interface SeedContext {
  readonly options: SeedOptions;
  readonly random: SeedRandom;
  readonly cipher: FieldCipher;
  readonly passwordHash: string;
}
