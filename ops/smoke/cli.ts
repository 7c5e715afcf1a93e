/**
 * npm run smoke -- --base https://carewatch.staging.example.org
 *
 * After a deploy: readiness, JWKS, a login of the synthetic patient, a consultation request and its
 * cancellation, the expected /metrics series, and the audit chain's verification. Prints a table and
 * exits 1 when any check fails (2 on a usage error). Credentials come from the environment, never flags:
 *   SMOKE_PATIENT_EMAIL, SMOKE_PATIENT_PASSWORD                        the synthetic patient
 *   SMOKE_AUDITOR_EMAIL, SMOKE_AUDITOR_PASSWORD, SMOKE_AUDITOR_TOTP_SECRET   an admin with TOTP
 * Run it at most once per 30 s per auditor account (each TOTP step is accepted once).
 */
import { parseArgs } from 'node:util';
import { smokeChecks, type SmokeAccounts } from './checks';
import { SmokeClient } from './client';
import { formatTable, runChecks } from './run';

function accountsFrom(env: NodeJS.ProcessEnv): SmokeAccounts | string {
  const { SMOKE_PATIENT_EMAIL: email, SMOKE_PATIENT_PASSWORD: password } = env;
  if (!email || !password) return 'SMOKE_PATIENT_EMAIL and SMOKE_PATIENT_PASSWORD are required';
  const auditor =
    env.SMOKE_AUDITOR_EMAIL && env.SMOKE_AUDITOR_PASSWORD && env.SMOKE_AUDITOR_TOTP_SECRET
      ? {
          email: env.SMOKE_AUDITOR_EMAIL,
          password: env.SMOKE_AUDITOR_PASSWORD,
          totpSecret: env.SMOKE_AUDITOR_TOTP_SECRET,
        }
      : undefined;
  return { patient: { email, password }, ...(auditor && { auditor }) };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { base: { type: 'string' } } });
  const accounts = accountsFrom(process.env);
  if (!values.base || !URL.canParse(values.base) || typeof accounts === 'string') {
    console.error(typeof accounts === 'string' ? accounts : 'usage: npm run smoke -- --base URL');
    return 2;
  }
  const results = await runChecks(smokeChecks(new SmokeClient(new URL(values.base)), accounts));
  console.log(formatTable(results));
  const failed = results.filter((result) => !result.ok).length;
  console.log(
    failed === 0 ? `smoke test passed against ${values.base}` : `smoke test FAILED: ${failed} check(s)`,
  );
  return failed === 0 ? 0 : 1;
}

main().then(
  (code) => (process.exitCode = code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  },
);
