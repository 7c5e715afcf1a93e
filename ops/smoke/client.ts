/** A small JSON-over-HTTP client for the smoke test: one base URL, a bearer token when signed in. */
export interface SmokeResponse {
  readonly status: number;
  readonly body: unknown;
  readonly text: string;
}

export class SmokeClient {
  constructor(
    private readonly base: URL,
    private readonly timeoutMs = 10_000,
  ) {}

  async request(
    method: string,
    path: string,
    { body, token }: { body?: unknown; token?: string } = {},
  ): Promise<SmokeResponse> {
    const headers: Record<string, string> = { Accept: 'application/json, text/plain' };
    if (body !== undefined) headers['Content-Type'] = 'application/json';
    if (token) headers.Authorization = `Bearer ${token}`;
    const response = await fetch(new URL(path, this.base), {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(this.timeoutMs),
    });
    const text = await response.text();
    const json = response.headers.get('content-type')?.includes('json') ? safeJson(text) : undefined;
    return { status: response.status, body: json, text };
  }
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** Throws with the status and, for problem+json, its title: never the body of a successful response. */
export function expectStatus(response: SmokeResponse, expected: number, what: string): SmokeResponse {
  if (response.status === expected) return response;
  const title = (response.body as { title?: unknown } | undefined)?.title;
  throw new Error(`${what}: HTTP ${response.status}${typeof title === 'string' ? ` (${title})` : ''}`);
}
