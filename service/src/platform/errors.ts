/**
 * One error type for everything the service answers on purpose. `code` is stable (clients and tests key
 * on it), `status` is the HTTP status, and `detail` must never carry PHI: it is sent to the client and
 * may be logged.
 */
export interface FieldProblem {
  readonly pointer: string;
  readonly detail: string;
}

export interface AppErrorOptions {
  readonly detail?: string;
  readonly errors?: readonly FieldProblem[];
  readonly headers?: Readonly<Record<string, string>>;
  readonly cause?: unknown;
}

export class AppError extends Error {
  readonly detail: string | undefined;
  readonly errors: readonly FieldProblem[] | undefined;
  readonly headers: Readonly<Record<string, string>>;

  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    options: AppErrorOptions = {},
  ) {
    super(options.detail ?? title, { cause: options.cause });
    this.name = 'AppError';
    this.detail = options.detail;
    this.errors = options.errors;
    this.headers = options.headers ?? {};
  }
}

export const badRequest = (detail: string, code = 'bad_request') =>
  new AppError(400, code, 'Bad Request', { detail });
export const unauthorized = (detail = 'Authentication is required.', code = 'unauthenticated') =>
  new AppError(401, code, 'Unauthorized', { detail, headers: { 'WWW-Authenticate': 'Bearer' } });
export const forbidden = (detail = 'You may not do this.', code = 'forbidden') =>
  new AppError(403, code, 'Forbidden', { detail });
export const notFound = (detail = 'No such resource.', code = 'not_found') =>
  new AppError(404, code, 'Not Found', { detail });
export const conflict = (detail: string, code = 'conflict') =>
  new AppError(409, code, 'Conflict', { detail });
export const preconditionFailed = (detail: string, code = 'precondition_failed') =>
  new AppError(412, code, 'Precondition Failed', { detail });
export const preconditionRequired = (detail: string, code = 'precondition_required') =>
  new AppError(428, code, 'Precondition Required', { detail });
export const unprocessable = (errors: readonly FieldProblem[], detail = 'Some fields are invalid.') =>
  new AppError(422, 'validation_failed', 'Unprocessable Content', { detail, errors });
export const tooManyRequests = (retryAfterSeconds: number, code = 'rate_limited') =>
  new AppError(429, code, 'Too Many Requests', {
    detail: `Too many attempts; retry after ${retryAfterSeconds} seconds.`,
    headers: { 'Retry-After': String(retryAfterSeconds) },
  });
/** A dependency is down for now: Retry-After tells clients and load balancers that trying again is right. */
export const serviceUnavailable = (detail: string, code = 'service_unavailable', cause?: unknown) =>
  new AppError(503, code, 'Service Unavailable', { detail, cause, headers: { 'Retry-After': '1' } });
