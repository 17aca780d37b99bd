import type { TokenPair } from "./types";

/** The signed-in user's tokens. expiresAt is the access token's expiry in epoch milliseconds. */
export interface Session {
  accessToken: string;
  refreshToken: string;
  expiresAt: number;
}

export interface KeyValueStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

export function sessionFromTokens(tokens: TokenPair, now: number): Session {
  return { accessToken: tokens.accessToken, refreshToken: tokens.refreshToken, expiresAt: now + tokens.expiresIn * 1000 };
}

/**
 * Keeps the session in storage (localStorage in the browser) so that it survives a reload and is shared by tabs, and
 * tells subscribers when it changes — here or, through notifyExternalChange, in another tab.
 */
export class SessionStore {
  private readonly listeners = new Set<(session: Session | null) => void>();

  constructor(
    private readonly storage: KeyValueStorage | null,
    readonly key = "shop.session",
  ) {}

  read(): Session | null {
    const raw = this.safely(() => this.storage?.getItem(this.key) ?? null);
    if (!raw) return null;
    try {
      const value: unknown = JSON.parse(raw);
      return isSession(value) ? value : null;
    } catch {
      return null;
    }
  }

  write(session: Session | null): void {
    this.safely(() => (session ? this.storage?.setItem(this.key, JSON.stringify(session)) : this.storage?.removeItem(this.key)));
    this.notify(session);
  }

  subscribe(listener: (session: Session | null) => void): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  notifyExternalChange(): void {
    this.notify(this.read());
  }

  private notify(session: Session | null): void {
    for (const listener of this.listeners) listener(session);
  }

  // Storage can throw (private mode, quota); the session then lives only as long as the page.
  private safely<T>(action: () => T): T | null {
    try {
      return action();
    } catch {
      return null;
    }
  }
}

function isSession(value: unknown): value is Session {
  if (typeof value !== "object" || value === null) return false;
  const v = value as Record<string, unknown>;
  return typeof v.accessToken === "string" && typeof v.refreshToken === "string" && typeof v.expiresAt === "number";
}
