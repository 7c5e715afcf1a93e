import type { TestRuntime } from '../runtime';

/**
 * How to call one PHI route for real, for the coverage test that requires an audit event from every
 * route whose chain declares `audited(...)`. Each feature lists its cases in a file beside this one.
 */
export interface PhiRouteCase {
  /** As the router declares it, e.g. 'GET'. */
  readonly method: string;
  /** The route template with the /v1 prefix, e.g. '/v1/patients/:id'. */
  readonly path: string;
  /**
   * Sets up whatever the call needs (identities, records), makes the request with the given request id
   * in `X-Request-Id`, and returns the status it got and the patient the event must name (none for
   * routes that touch no one patient, such as the audit chain's verification).
   */
  call(runtime: TestRuntime, requestId: string): Promise<{ status: number; patientId?: string }>;
}
