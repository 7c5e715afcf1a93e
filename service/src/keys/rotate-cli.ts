import { loadConfig } from '../config';
import { createDatabase } from '../platform/db';
import { createFieldCipher } from '../platform/field-cipher';
import { ENCRYPTED_TABLES, rotateEncryptedValues, valuesPerKey } from './rotation';

/**
 * `npm run keys:rotate`: re-encrypts every stored value with ENCRYPTION_ACTIVE_KEY_ID while the service
 * runs (see service/SECURITY.md, "Rotating the field-encryption key"). Safe to stop and run again.
 * Prints progress per batch, then how many values each key still protects.
 */
async function main(): Promise<void> {
  const config = loadConfig(process.env);
  if (!config.database.url) throw new Error('DATABASE_URL is required');
  const { keys, activeKeyId } = config.encryption;
  const sequelize = createDatabase({
    url: config.database.url,
    poolMax: 2,
    statementTimeoutMs: config.database.statementTimeoutMs,
  });
  try {
    const batchSize = Number(process.env.KEYS_ROTATE_BATCH ?? 500);
    const total = await rotateEncryptedValues(sequelize, createFieldCipher(keys, activeKeyId), activeKeyId, {
      batchSize,
      onProgress: ({ table, rewritten, remaining }) =>
        console.log(`${table}: ${rewritten} re-encrypted, ${remaining} left`),
    });
    console.log(`done: ${total} values re-encrypted with key ${activeKeyId}`);
    const perKey = await valuesPerKey(sequelize);
    const appendOnly = new Set(ENCRYPTED_TABLES.filter((t) => t.appendOnly).map((t) => t.table));
    for (const [table, counts] of Object.entries(perKey)) {
      const note = appendOnly.has(table) ? ' (append-only: keeps its keys)' : '';
      console.log(`${table}: ${JSON.stringify(counts)}${note}`);
    }
  } finally {
    await sequelize.close();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
