// The operator's session, kept in memory only (never in storage a script could read later): tokens from
// the auth API, refreshed before they expire, and dropped at the session's idle timeout.

interface Tokens {
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
}

/** The human sentence of a problem+json answer. */
const detailOf = (json: Record<string, unknown>): string =>
  typeof json.detail === 'string'
    ? json.detail
    : typeof json.title === 'string'
      ? json.title
      : 'Request failed';

export class ProblemError extends Error {
  constructor(
    readonly status: number,
    detail: string,
  ) {
    super(detail);
  }
}

async function post(path: string, body: unknown, token?: string): Promise<Record<string, unknown>> {
  const response = await fetch(path, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  const json = response.status === 204 ? {} : ((await response.json()) as Record<string, unknown>);
  if (!response.ok) throw new ProblemError(response.status, detailOf(json));
  return json;
}

export class Session {
  private tokens: Tokens | undefined;
  private refreshTimer: number | undefined;
  private idleTimer: number | undefined;
  private idleSeconds = 900;
  onSignedOut: (reason: string) => void = () => undefined;

  get signedIn(): boolean {
    return this.tokens !== undefined;
  }

  /** 'mfa' with the challenge token when a second factor is needed, else signed in. */
  async login(email: string, password: string): Promise<{ mfaToken?: string }> {
    const body = await post('/v1/auth/login', { email, password });
    if (body.status === 'mfa_required') return { mfaToken: String(body.mfaToken) };
    this.adopt(body);
    return {};
  }

  async verify(mfaToken: string, code: string): Promise<void> {
    this.adopt(await post('/v1/auth/mfa/verify', { mfaToken, code }));
  }

  setIdleTimeout(seconds: number): void {
    this.idleSeconds = seconds;
    this.touch();
  }

  /** Any user activity keeps the session; none for the idle timeout signs out. */
  touch(): void {
    if (!this.tokens) return;
    window.clearTimeout(this.idleTimer);
    this.idleTimer = window.setTimeout(
      () => void this.signOut('You were signed out after a period of inactivity.'),
      this.idleSeconds * 1000,
    );
  }

  async signOut(reason = 'Signed out.'): Promise<void> {
    const token = this.tokens?.accessToken;
    this.tokens = undefined;
    window.clearTimeout(this.refreshTimer);
    window.clearTimeout(this.idleTimer);
    if (token) await post('/v1/auth/logout', {}, token).catch(() => undefined);
    this.onSignedOut(reason);
  }

  async get<T>(path: string): Promise<T> {
    if (!this.tokens) throw new ProblemError(401, 'Not signed in.');
    const response = await fetch(path, { headers: { Authorization: `Bearer ${this.tokens.accessToken}` } });
    const json = (await response.json()) as Record<string, unknown>;
    if (response.status === 401) await this.signOut('Your session ended; sign in again.');
    if (!response.ok) throw new ProblemError(response.status, detailOf(json));
    return json as T;
  }

  private adopt(body: Record<string, unknown>): void {
    this.tokens = {
      accessToken: String(body.accessToken),
      refreshToken: String(body.refreshToken),
      expiresIn: Number(body.expiresIn ?? 900),
    };
    window.clearTimeout(this.refreshTimer);
    // Refresh at 80 % of the access token's life, so a request never carries an expired token.
    this.refreshTimer = window.setTimeout(() => void this.refresh(), this.tokens.expiresIn * 800);
    this.touch();
  }

  private async refresh(): Promise<void> {
    if (!this.tokens) return;
    try {
      this.adopt(await post('/v1/auth/refresh', { refreshToken: this.tokens.refreshToken }));
    } catch {
      await this.signOut('Your session ended; sign in again.');
    }
  }
}
