import { appendFileSync } from 'node:fs';
import type Koa from 'koa';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import request from 'supertest';
import { OPENAPI_PATH } from '../../src/api-document';

/**
 * Every response the suite's HTTP client receives is checked against the document the service serves
 * (`GET /openapi.json`): its status is documented for the operation, its body matches the documented
 * schema, and every 4xx/5xx is RFC 9457 problem+json. A drift fails the test whose request caused it.
 *
 * With CONTRACT_REPORT=<file> mismatches are appended to that file instead of failing (to count them).
 */
type JsonObject = Record<string, unknown>;
/** What the check reads of a response. */
export type CheckedResponse = Pick<request.Response, 'status' | 'headers' | 'body'>;
interface Operation {
  readonly responses: Record<string, { content?: Record<string, { schema?: JsonObject }> }>;
}
interface Matcher {
  readonly method: string;
  readonly pattern: RegExp;
  /** Literal segments win over parameters (`/patients/me` before `/patients/{id}`). */
  readonly parameters: number;
  readonly template: string;
  readonly operation: Operation;
}
interface Contract {
  readonly matchers: readonly Matcher[];
  readonly validatorOf: (schema: JsonObject) => ValidateFunction;
  readonly problem: ValidateFunction;
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;
/** Probes for the orchestrator and Prometheus on the same port: not part of the API a client calls. */
const PROBES = new Set(['/healthz', '/readyz', '/metrics']);

const escape = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function contractOf(document: JsonObject): Contract {
  const components = document.components as JsonObject;
  const ajv = new Ajv2020({ strict: false, allErrors: true, validateSchema: false });
  addFormats(ajv);
  const validators = new WeakMap<JsonObject, ValidateFunction>();
  const validatorOf = (schema: JsonObject) => {
    let validate = validators.get(schema);
    if (!validate) {
      // Schemas refer to `#/components/...`: they are compiled with the document's components beside them.
      validate = ajv.compile({ ...schema, components });
      validators.set(schema, validate);
    }
    return validate;
  };
  const rootServer = ((document.servers as { url: string }[] | undefined)?.[0]?.url ?? '').replace(/\/$/, '');
  const matchers: Matcher[] = [];
  for (const [template, item] of Object.entries(document.paths as Record<string, JsonObject>)) {
    const server =
      ((item.servers as { url: string }[] | undefined)?.[0]?.url ?? rootServer).replace(/\/$/, '') || '';
    const full = `${server}${template}`;
    const pattern = new RegExp(
      `^${full
        .split(/\{[^}]+\}/)
        .map(escape)
        .join('[^/]+')}/?$`,
    );
    for (const method of METHODS) {
      const operation = item[method] as Operation | undefined;
      if (operation)
        matchers.push({
          method,
          pattern,
          parameters: (full.match(/\{/g) ?? []).length,
          template: full,
          operation,
        });
    }
  }
  matchers.sort((a, b) => a.parameters - b.parameters);
  const problem = validatorOf((components.schemas as Record<string, JsonObject>).Problem!);
  return { matchers, validatorOf, problem };
}

let contract: Promise<Contract> | undefined;

/**
 * The document depends on the code only, not on settings: it is read once per run, from the first app
 * checked (useTestApp() reads it from the shared runtime up front, so that reading it spends nothing of a
 * variant's rate limit).
 */
export function loadContract(app: Koa): Promise<Contract> {
  contract ??= request(app.callback())
    .get(OPENAPI_PATH)
    .then((response) => {
      if (response.status !== 200) throw new Error(`${OPENAPI_PATH} answered ${response.status}`);
      return contractOf(response.body as JsonObject);
    });
  return contract;
}

const errorsOf = (validate: ValidateFunction) =>
  (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ');

/** What is wrong with one response to `method path` of `app`, or nothing. */
export async function contractMismatches(
  app: Koa,
  method: string,
  path: string,
  response: CheckedResponse,
): Promise<string[]> {
  return mismatchesOf(await loadContract(app), method, path, response);
}

function mismatchesOf(contract: Contract, method: string, path: string, response: CheckedResponse): string[] {
  const mismatches: string[] = [];
  if (PROBES.has(path)) return mismatches;
  const status = response.status;
  const type = String(response.headers['content-type'] ?? '');
  const isProblem = type.startsWith('application/problem+json');
  if (status >= 400) {
    if (!isProblem) mismatches.push(`${status} is not application/problem+json (${type || 'no type'})`);
    else if (!contract.problem(response.body))
      mismatches.push(`${status} problem: ${errorsOf(contract.problem)}`);
  }
  const candidates = contract.matchers.filter((matcher) => matcher.pattern.test(path));
  if (candidates.length === 0) {
    // Not a documented path: only a problem+json 404 is right.
    if (status !== 404) mismatches.push(`undocumented path answered ${status}`);
    return mismatches;
  }
  const matcher = candidates.find((candidate) => candidate.method === method.toLowerCase());
  if (!matcher) {
    if (status !== 405 && status !== 404) mismatches.push(`undocumented method answered ${status}`);
    return mismatches;
  }
  const declared = matcher.operation.responses[String(status)] ?? matcher.operation.responses.default;
  if (!declared) {
    mismatches.push(`status ${status} is not documented`);
    return mismatches;
  }
  const content = declared.content;
  if (!content || status >= 400) return mismatches;
  const mediaType = Object.keys(content).find((media) => type.startsWith(media));
  if (!mediaType) {
    mismatches.push(
      `${status} content type ${type || 'none'} is not one of ${Object.keys(content).join(', ')}`,
    );
    return mismatches;
  }
  const schema = content[mediaType]?.schema;
  if (schema) {
    const validate = contract.validatorOf(schema);
    if (!validate(response.body)) mismatches.push(`${status} body: ${errorsOf(validate)}`);
  }
  return mismatches;
}

function templateOf(contract: Contract, path: string): string {
  return contract.matchers.find((matcher) => matcher.pattern.test(path))?.template ?? path;
}

/** Checks the response of `test` once it arrives; fails the awaiting test on a mismatch. */
function checked<T extends request.Test>(app: Koa, method: string, url: string, test: T): T {
  const path = new URL(url, 'http://contract.test').pathname;
  const then = test.then.bind(test);
  // supertest's Test is a thenable: checking inside `then` covers every `await` of it.
  test.then = ((onFulfilled, onRejected) =>
    then(async (response: request.Response) => {
      const contract = await loadContract(app);
      const mismatches = mismatchesOf(contract, method, path, response);
      if (mismatches.length > 0) {
        const where = `${method.toUpperCase()} ${templateOf(contract, path)}`;
        const report = process.env.CONTRACT_REPORT;
        if (report) appendFileSync(report, mismatches.map((m) => `${where}: ${m}\n`).join(''));
        else throw new Error(`Response breaks ${OPENAPI_PATH}: ${where}: ${mismatches.join('; ')}`);
      }
      return response;
    }).then(onFulfilled, onRejected)) as T['then'];
  return test;
}

/** supertest on `app`, every response checked against the app's own OpenAPI document. */
export function contractCheckedHttp(app: Koa) {
  const agent = request(app.callback());
  const method =
    (name: (typeof METHODS)[number]) =>
    (url: string): request.Test =>
      checked(app, name, url, agent[name](url));
  return {
    get: method('get'),
    post: method('post'),
    put: method('put'),
    patch: method('patch'),
    delete: method('delete'),
    /** Methods the document does not describe (OPTIONS, HEAD), unchecked. */
    options: (url: string) => agent.options(url),
    head: (url: string) => agent.head(url),
  };
}
export type ContractCheckedHttp = ReturnType<typeof contractCheckedHttp>;
