import { ApiError, SessionExpiredError, errorFromResponse, networkFailure } from "./problems";
import { type Session, SessionStore, sessionFromTokens } from "./session";
import type { TokenPair } from "./types";

type Fetch = (input: string, init?: RequestInit) => Promise<Response>;
/** Runs fn while holding a lock shared by every tab of this origin (Web Locks), or just runs it where there are none. */
export type LockRunner = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

export interface ApiClientOptions {
  fetch: Fetch;
  sessions: SessionStore;
  now?: () => number;
  withLock?: LockRunner;
  /** Waits before a read is asked again (tests pass one that does not really wait). */
  pause?: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
}

export interface RequestOptions {
  body?: unknown;
  headers?: Record<string, string>;
  signal?: AbortSignal;
  /** Let the request finish even if the page navigates away meanwhile. */
  keepalive?: boolean;
}

/** Renew the access token this long before it expires, so that no request goes out with a token about to lapse. */
export const RefreshMargin = 30_000;

/**
 * A read answered 503 with a Retry-After up to this many seconds (a service whose database is restarting says 5) is asked
 * once more after that pause, so a shopper does not see a brief outage. Writes are not repeated here.
 */
export const MaxReadRetryAfterSeconds = 10;

/**
 * Talks JSON to the gateway (same origin). Attaches the access token, renews it silently — ahead of expiry, and once
 * more after a 401 — and turns every failure into an ApiError whose message is a sentence for the user.
 */
export class ApiClient {
  private readonly fetch: Fetch;
  private readonly now: () => number;
  private readonly withLock: LockRunner;
  private readonly pause: (milliseconds: number, signal?: AbortSignal) => Promise<void>;
  private refreshing: Promise<Session> | null = null;

  constructor(private readonly options: ApiClientOptions) {
    this.fetch = options.fetch;
    this.now = options.now ?? Date.now;
    this.withLock = options.withLock ?? ((_name, fn) => fn());
    this.pause = options.pause ?? delay;
  }

  get sessions(): SessionStore {
    return this.options.sessions;
  }

  get<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("GET", path, options);
  }

  post<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("POST", path, { ...options, body });
  }

  put<T>(path: string, body?: unknown, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("PUT", path, { ...options, body });
  }

  delete<T>(path: string, options: RequestOptions = {}): Promise<T> {
    return this.request<T>("DELETE", path, options);
  }

  async request<T>(method: string, path: string, options: RequestOptions = {}): Promise<T> {
    let session = await this.freshSession();
    let response = await this.send(method, path, options, session?.accessToken);
    if (response.status === 401 && session) {
      // The token was refused although it looked valid (revoked, signing key rotated, clock skew): renew once and retry.
      session = await this.refresh(session);
      response = await this.send(method, path, options, session.accessToken);
    }
    const retryAfter = retryAfterSeconds(response);
    if (method === "GET" && response.status === 503 && retryAfter !== undefined && retryAfter <= MaxReadRetryAfterSeconds) {
      await this.pause(retryAfter * 1000, options.signal);
      response = await this.send(method, path, options, session?.accessToken);
    }
    return readResponse<T>(response);
  }

  /** Signs in: stores the new session. */
  async login(email: string, password: string): Promise<void> {
    const response = await this.send("POST", "/api/auth/login", { body: { email, password } });
    const tokens = await readResponse<TokenPair>(response);
    this.sessions.write(sessionFromTokens(tokens, this.now()));
  }

  /**
   * Ends the session on the server — its refresh token and the access token, which the server accepts only from the
   * session's owner, so the request is signed in — then forgets it here. The local sign-out happens even when the server
   * cannot be reached or the session could not be renewed (its tokens then expire on their own).
   */
  async logout(): Promise<void> {
    if (!this.sessions.read()) return;
    try {
      const session = await this.freshSession();
      if (session) {
        const body = { refreshToken: session.refreshToken };
        await this.send("POST", "/api/auth/logout", { body, keepalive: true }, session.accessToken);
      }
    } catch {
      // Offline, or the session had already ended: sign out locally all the same.
    } finally {
      this.sessions.write(null);
    }
  }

  /**
   * Renews the session. Concurrent callers share one request: the server rotates refresh tokens and treats a second
   * use of a rotated one as theft (revoking the whole family), so two refreshes with the same token must never race —
   * not between requests of this page, nor between tabs (hence the lock, and the re-read of the stored session).
   */
  refresh(stale: Session): Promise<Session> {
    this.refreshing ??= this.withLock("shop-session-refresh", async () => {
      const current = this.sessions.read();
      if (!current) throw new SessionExpiredError();
      if (current.refreshToken !== stale.refreshToken && current.expiresAt - this.now() > RefreshMargin) return current;

      const response = await this.send("POST", "/api/auth/refresh", { body: { refreshToken: current.refreshToken } });
      if (response.status === 401 || response.status === 400) {
        this.sessions.write(null);
        throw new SessionExpiredError();
      }
      const renewed = sessionFromTokens(await readResponse<TokenPair>(response), this.now());
      this.sessions.write(renewed);
      return renewed;
    }).finally(() => {
      this.refreshing = null;
    });
    return this.refreshing;
  }

  private async freshSession(): Promise<Session | null> {
    const session = this.sessions.read();
    if (session && session.expiresAt - this.now() < RefreshMargin) return this.refresh(session);
    return session;
  }

  private async send(method: string, path: string, options: RequestOptions, accessToken?: string): Promise<Response> {
    const headers: Record<string, string> = { Accept: "application/json, application/problem+json", ...options.headers };
    if (options.body !== undefined) headers["Content-Type"] = "application/json";
    if (accessToken) headers.Authorization = `Bearer ${accessToken}`;
    try {
      return await this.fetch(path, {
        method,
        headers,
        body: options.body === undefined ? undefined : JSON.stringify(options.body),
        signal: options.signal,
        keepalive: options.keepalive,
      });
    } catch (error) {
      if (isAbort(error)) throw error;
      throw networkFailure();
    }
  }
}

async function readResponse<T>(response: Response): Promise<T> {
  const text = await response.text().catch(() => "");
  const body = parseJson(text);
  if (!response.ok) throw errorFromResponse(response.status, body, retryAfterSeconds(response));
  return body as T;
}

/** Retry-After in seconds (the form the gateway and services send), or undefined. */
function retryAfterSeconds(response: Response): number | undefined {
  const header = response.headers.get("Retry-After");
  const seconds = header === null || header.trim() === "" ? NaN : Number(header);
  return Number.isFinite(seconds) && seconds >= 0 ? seconds : undefined;
}

function delay(milliseconds: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const timer = setTimeout(resolve, milliseconds);
    signal?.addEventListener("abort", () => {
      clearTimeout(timer);
      reject(signal.reason);
    }, { once: true });
  });
}

function parseJson(text: string): unknown {
  if (!text) return undefined;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

export function isApiError(error: unknown): error is ApiError {
  return error instanceof ApiError;
}
