import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { exportJWK, generateKeyPair, SignJWT, type CryptoKey, type JWK, type JWTPayload } from 'jose';
import { linkedUserFinder } from '../../src/auth/external/linked-user';
import {
  createExternalVerifier,
  type ExternalVerifier,
  type ExternalVerifierOptions,
} from '../../src/auth/external/verifier';
import type { Role, UserStatus } from '../../src/auth/model';
import type { Runtime } from '../../src/runtime';

/**
 * A stand-in for a Supabase project's auth server: a real HTTP server on 127.0.0.1 that publishes a
 * JWKS of keys generated here, signs access tokens with them, and can be stopped, restarted or made
 * slow to exercise the service's behaviour when the provider fails.
 */
export const JWKS_PATH = '/auth/v1/.well-known/jwks.json';
export const AUDIENCE = 'authenticated';

export type SigningAlgorithm = 'ES256' | 'RS256';

interface SigningKey {
  readonly kid: string;
  readonly alg: SigningAlgorithm;
  readonly privateKey: CryptoKey;
  readonly publicJwk: JWK;
}

export interface TokenOptions {
  readonly kid?: string;
  readonly issuer?: string;
  readonly audience?: string;
  readonly expiresIn?: string | number;
}

export class FakeIdentityProvider {
  /** JWKS requests the server has received (answered or not). */
  requests = 0;
  /** When set, every JWKS response is held this long (and dropped if the client gives up first). */
  delayMs = 0;
  /** Shared by the tests of a project: long enough for the service's configuration. */
  readonly jwtSecret = randomBytes(32).toString('base64url');
  private readonly keys = new Map<string, SigningKey>();
  private readonly published = new Set<string>();
  private server: Server | undefined;
  private port = 0;

  get issuer(): string {
    return `http://127.0.0.1:${this.port}/auth/v1`;
  }

  get jwksUrl(): string {
    return `http://127.0.0.1:${this.port}${JWKS_PATH}`;
  }

  /** Listens on a free port the first time, and on that same port when restarted. */
  async start(): Promise<void> {
    const server = createServer((request, response) => this.answer(request, response));
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => resolve());
    });
    this.port = (server.address() as AddressInfo).port;
    this.server = server;
  }

  /** Stops listening and cuts every open (keep-alive) connection: the provider is down. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }

  /** Generates a key; it is published in the JWKS unless `publish` is false. */
  async addKey(alg: SigningAlgorithm, publish = true): Promise<string> {
    const kid = randomUUID();
    const { privateKey, publicKey } = await generateKeyPair(alg);
    this.keys.set(kid, { kid, alg, privateKey, publicJwk: await exportJWK(publicKey) });
    if (publish) this.published.add(kid);
    return kid;
  }

  publish(kid: string): void {
    this.published.add(kid);
  }

  publicJwk(kid: string): JWK {
    return this.key(kid).publicJwk;
  }

  /** An access token as Supabase issues it, signed with the key `kid`. */
  async sign(
    subject: string,
    options: TokenOptions & { kid: string },
    extra: JWTPayload = {},
  ): Promise<string> {
    const key = this.key(options.kid);
    return this.claims(subject, options, extra)
      .setProtectedHeader({ alg: key.alg, kid: key.kid, typ: 'JWT' })
      .sign(key.privateKey);
  }

  /** An access token signed with the project's JWT secret (HS256), as older Supabase projects issue. */
  async signWithSecret(subject: string, options: TokenOptions = {}, extra: JWTPayload = {}): Promise<string> {
    return this.claims(subject, options, extra)
      .setProtectedHeader({ alg: 'HS256', typ: 'JWT' })
      .sign(new TextEncoder().encode(this.jwtSecret));
  }

  private claims(subject: string, options: TokenOptions, extra: JWTPayload): SignJWT {
    return new SignJWT({ role: 'authenticated', ...extra })
      .setSubject(subject)
      .setIssuer(options.issuer ?? this.issuer)
      .setAudience(options.audience ?? AUDIENCE)
      .setIssuedAt()
      .setExpirationTime(options.expiresIn ?? '1h');
  }

  private key(kid: string): SigningKey {
    const key = this.keys.get(kid);
    if (!key) throw new Error(`no key ${kid}`);
    return key;
  }

  private answer(request: IncomingMessage, response: ServerResponse): void {
    if (request.url !== JWKS_PATH) {
      response.writeHead(404).end();
      return;
    }
    this.requests += 1;
    const keys = [...this.published].map((kid) => {
      const key = this.key(kid);
      return { ...key.publicJwk, kid, alg: key.alg, use: 'sig' };
    });
    const send = () => {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys }));
    };
    if (this.delayMs === 0) {
      send();
      return;
    }
    const timer = setTimeout(send, this.delayMs);
    response.on('close', () => clearTimeout(timer));
  }
}

export async function startIdentityProvider(): Promise<FakeIdentityProvider> {
  const provider = new FakeIdentityProvider();
  await provider.start();
  return provider;
}

/** A local account linked to the external `subject` (a fresh random one unless given). */
export async function createLinkedUser(
  runtime: Runtime,
  options: { subject?: string; status?: UserStatus; role?: Role } = {},
): Promise<{ userId: string; subject: string }> {
  const subject = options.subject ?? randomUUID();
  const user = await runtime.models.User.create({
    email: `linked.${randomUUID()}@example.test`,
    role: options.role ?? 'patient',
    status: options.status ?? 'active',
    passwordHash: null,
    lockedUntil: null,
    externalSubject: subject,
    passwordChangedAt: null,
  });
  return { userId: user.id, subject };
}

/** A verifier for `provider` wired to the runtime's cache, metrics, log and users table. */
export function verifierFor(
  runtime: Runtime,
  provider: FakeIdentityProvider,
  overrides: Partial<ExternalVerifierOptions> = {},
): ExternalVerifier {
  const options: ExternalVerifierOptions = {
    issuer: provider.issuer,
    audience: AUDIENCE,
    jwtSecret: provider.jwtSecret,
    jwksUrl: provider.jwksUrl,
    timeoutMs: 2000,
    ...overrides,
  };
  return createExternalVerifier(options, {
    cache: runtime.cache,
    metrics: runtime.metrics,
    logger: runtime.logger,
    findLinkedUser: linkedUserFinder(runtime.models.User),
  });
}
