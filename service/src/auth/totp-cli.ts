import { parseArgs } from 'node:util';
import { totpCode } from './totp';

/**
 * `npm run totp -- --secret BASE32`: the current code for a TOTP secret, as an authenticator app would
 * show it. For development and the README walk-through: a real second factor lives in a phone.
 */
const { values } = parseArgs({ options: { secret: { type: 'string' } } });
if (!values.secret || !/^[A-Z2-7]+=*$/i.test(values.secret)) {
  console.error('usage: npm run totp -- --secret <base32 secret from POST /v1/auth/mfa/totp>');
  process.exit(1);
}
console.log(totpCode(values.secret.toUpperCase()));
