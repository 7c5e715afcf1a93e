import { contractCheckedHttp, loadContract } from './contract';
import { clinicalRuntime, type ClinicalRuntime } from './clinical-services';
import {
  createAdmin,
  createOperator,
  createPatient,
  createProvider,
  signIn,
  type Identity,
  type PatientOverrides,
  type ProviderOverrides,
} from './identities';
import { sharedRuntime, variantRuntime, type TestRuntime } from './runtime';

/**
 * The one way a test file reaches the service. Call it at the top of a `describe`: it registers a mocha
 * `before` hook that brings up the shared runtime (once per run), then gives typed access to it, an HTTP
 * agent on it, and identity factories bound to it:
 *
 *   const app = useTestApp();
 *   it('answers the patient', async () => {
 *     const patient = await app.patient();
 *     await app.http().get('/v1/patients/me').set(patient.headers).expect(200);
 *   });
 */
export function useTestApp() {
  let shared: TestRuntime | undefined;
  let clinical: ClinicalRuntime | undefined;
  before(async function () {
    this.timeout(60_000);
    shared = await sharedRuntime();
    clinical = await clinicalRuntime();
    await loadContract(shared.app);
  });
  const started = <T>(value: T | undefined): T => {
    if (value === undefined)
      throw new Error('useTestApp(): the runtime is reached only inside hooks and tests');
    return value;
  };
  return {
    /** The shared runtime (one migrated database for the run). */
    get runtime(): TestRuntime {
      return started(shared);
    },
    /** The shared runtime with its clinical services at the top level, for use-case tests. */
    get clinical(): ClinicalRuntime {
      return started(clinical);
    },
    /** supertest on the shared runtime's app; every response is checked against /openapi.json. */
    http: () => contractCheckedHttp(started(shared).app),
    /** A runtime with other settings on the shared database (see variantRuntime). */
    variant: (overrides: NodeJS.ProcessEnv) => variantRuntime(overrides),
    patient: (overrides?: PatientOverrides): Promise<Identity> => createPatient(started(shared), overrides),
    provider: (overrides?: ProviderOverrides): Promise<Identity> =>
      createProvider(started(shared), overrides),
    admin: (options?: { withMfa?: boolean }): Promise<Identity> => createAdmin(started(shared), options),
    operator: (options?: { admin?: Identity; withMfa?: boolean }): Promise<Identity> =>
      createOperator(started(shared), options),
    signIn: (who: Identity): Promise<Identity> => signIn(started(shared), who),
  };
}

export type TestApp = ReturnType<typeof useTestApp>;
