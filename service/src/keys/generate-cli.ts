import { publicKeyOf } from '../audit/checkpoint';
import { generateProductionKeys } from './generate';

/**
 * `npm run keys:generate`: new production secrets, printed once to stdout (redirect them into your secret
 * store, e.g. `npm run -s keys:generate > carewatch.env`). Nothing is written anywhere else.
 */
const keys = generateProductionKeys();
console.log(`# Carewatch production keys, generated ${new Date().toISOString()}.`);
console.log(
  '# Keep them in a secret store, never in git. To rotate, put a new key first and keep the old ones',
);
console.log(
  '# after it (JWT_SIGNING_KEYS, ENCRYPTION_KEYS) until nothing signed or encrypted with them is left.',
);
for (const [name, value] of Object.entries(keys)) console.log(`${name}='${value}'`);
console.log('# Not a secret: auditors check exported checkpoints with this public key');
console.log(
  `# (npm run audit:checkpoint -- --check FILE --public-key ${publicKeyOf(keys.AUDIT_CHECKPOINT_KEY!)})`,
);
