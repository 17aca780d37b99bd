import { describe, expect, it } from "vitest";
import { ApiClient } from "./client";
import { ApiError, SessionExpiredError } from "./problems";
import { type KeyValueStorage, type Session, SessionStore } from "./session";

class MemoryStorage implements KeyValueStorage {
  readonly values = new Map<string, string>();
  getItem = (key: string) => this.values.get(key) ?? null;
  setItem = (key: string, value: string) => void this.values.set(key, value);
  removeItem = (key: string) => void this.values.delete(key);
}

interface Call {
  method: string;
  path: string;
  authorization?: string;
  body?: unknown;
  headers: Record<string, string>;
}

/** A scripted gateway: answers each request with the next reply for its path, and records what it was sent. */
function fakeGateway(replies: Record<string, Array<() => Response | Promise<Response>>>) {
  const calls: Call[] = [];
  const fetch = async (path: string, init?: RequestInit) => {
    const headers = (init?.headers ?? {}) as Record<string, string>;
    calls.push({
      method: init?.method ?? "GET",
      path,
      authorization: headers.Authorization,
      body: init?.body ? JSON.parse(String(init.body)) : undefined,
      headers,
    });
    const reply = replies[path]?.shift();
    if (!reply) throw new Error(`unexpected request ${path}`);
    return reply();
  };
  return { fetch, calls };
}

const json = (status: number, body: unknown, headers: Record<string, string> = {}) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json", ...headers } });
const tokens = (n: number) => json(200, { accessToken: `access-${n}`, refreshToken: `refresh-${n}`, expiresIn: 900 });
const now = 1_000_000;

function clientWith(session: Session | null, replies: Parameters<typeof fakeGateway>[0]) {
  const sessions = new SessionStore(new MemoryStorage());
  if (session) sessions.write(session);
  const gateway = fakeGateway(replies);
  const pauses: number[] = [];
  const pause = async (milliseconds: number) => void pauses.push(milliseconds);
  return { client: new ApiClient({ fetch: gateway.fetch, sessions, now: () => now, pause }), sessions, calls: gateway.calls, pauses };
}

const validSession: Session = { accessToken: "access-0", refreshToken: "refresh-0", expiresAt: now + 600_000 };

describe("ApiClient", () => {
  it("sends the access token and parses JSON", async () => {
    const { client, calls } = clientWith(validSession, { "/api/cart": [() => json(200, { items: [], total: 0, currency: "EUR" })] });
    const cart = await client.get<{ total: number }>("/api/cart");
    expect(cart.total).toBe(0);
    expect(calls[0]?.authorization).toBe("Bearer access-0");
  });

  it("renews the session after a 401 and retries the request once with the new token", async () => {
    const { client, calls, sessions } = clientWith(validSession, {
      "/api/cart": [() => json(401, { title: "Unauthorized" }), () => json(200, { total: 5 })],
      "/api/auth/refresh": [() => tokens(1)],
    });
    const cart = await client.get<{ total: number }>("/api/cart");
    expect(cart.total).toBe(5);
    expect(calls.map((c) => c.path)).toEqual(["/api/cart", "/api/auth/refresh", "/api/cart"]);
    expect(calls[1]?.body).toEqual({ refreshToken: "refresh-0" });
    expect(calls[2]?.authorization).toBe("Bearer access-1");
    expect(sessions.read()?.refreshToken).toBe("refresh-1");
  });

  it("renews an access token that is about to expire before using it", async () => {
    const { client, calls } = clientWith({ ...validSession, expiresAt: now + 5_000 }, {
      "/api/auth/refresh": [() => tokens(1)],
      "/api/orders": [() => json(200, [])],
    });
    await client.get("/api/orders");
    expect(calls.map((c) => c.path)).toEqual(["/api/auth/refresh", "/api/orders"]);
    expect(calls[1]?.authorization).toBe("Bearer access-1");
  });

  it("shares one refresh between concurrent requests (a rotated refresh token must never be used twice)", async () => {
    let release: () => void = () => {};
    const gate = new Promise<void>((resolve) => (release = resolve));
    const { client, calls } = clientWith({ ...validSession, expiresAt: now + 1_000 }, {
      "/api/auth/refresh": [async () => (await gate, tokens(1))],
      "/api/orders": [() => json(200, []), () => json(200, [])],
      "/api/cart": [() => json(200, { total: 0 })],
    });
    const requests = Promise.all([client.get("/api/orders"), client.get("/api/cart"), client.get("/api/orders")]);
    release();
    await requests;
    expect(calls.filter((c) => c.path === "/api/auth/refresh")).toHaveLength(1);
    expect(calls.filter((c) => c.path !== "/api/auth/refresh").every((c) => c.authorization === "Bearer access-1")).toBe(true);
  });

  it("uses a session another tab already renewed instead of presenting the old refresh token", async () => {
    const { client, calls, sessions } = clientWith(validSession, {
      "/api/cart": [
        () => {
          // Meanwhile another tab rotated the tokens and stored the new pair.
          sessions.write({ accessToken: "access-9", refreshToken: "refresh-9", expiresAt: now + 900_000 });
          return json(401, {});
        },
        () => json(200, { total: 1 }),
      ],
    });
    await client.get("/api/cart");
    expect(calls.map((c) => c.path)).toEqual(["/api/cart", "/api/cart"]);
    expect(calls[1]?.authorization).toBe("Bearer access-9");
  });

  it("ends the session when the refresh token is refused", async () => {
    const { client, sessions } = clientWith(validSession, {
      "/api/cart": [() => json(401, {})],
      "/api/auth/refresh": [() => json(401, { title: "The refresh token is invalid, expired or revoked." })],
    });
    await expect(client.get("/api/cart")).rejects.toBeInstanceOf(SessionExpiredError);
    expect(sessions.read()).toBeNull();
  });

  it("keeps the session when the refresh fails for a passing reason", async () => {
    const { client, sessions } = clientWith({ ...validSession, expiresAt: now }, {
      "/api/auth/refresh": [() => json(503, { title: "Service Unavailable" })],
    });
    await expect(client.get("/api/cart")).rejects.toMatchObject({ status: 503 });
    expect(sessions.read()?.refreshToken).toBe("refresh-0");
  });

  it("turns ProblemDetails into a sentence and field errors", async () => {
    const { client } = clientWith(null, {
      "/api/auth/register": [
        () => json(400, { title: "One or more validation errors occurred.", status: 400, errors: { Password: ["The password needs at least 10 characters."] } }),
      ],
    });
    const error = (await client.post("/api/auth/register", {}).catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe("The password needs at least 10 characters.");
    expect(error.fieldErrors).toEqual({ password: ["The password needs at least 10 characters."] });
  });

  it("asks a read once more after a 503's short Retry-After pause (a database restarting behind the service)", async () => {
    const unavailable = () => json(503, { title: "The service's database is unavailable; try again shortly.", status: 503 }, { "Retry-After": "5" });
    const { client, calls, pauses } = clientWith(validSession, {
      "/api/cart": [unavailable, () => json(200, { items: [], total: 0, currency: "EUR" })],
    });
    const cart = await client.get<{ total: number }>("/api/cart");
    expect(cart.total).toBe(0);
    expect(pauses).toEqual([5000]);
    expect(calls.map((c) => c.authorization)).toEqual(["Bearer access-0", "Bearer access-0"]);
  });

  it("does not repeat a write, a second 503, or a read told to wait long", async () => {
    const unavailable = (seconds: string) => () => json(503, { title: "Unavailable", status: 503 }, { "Retry-After": seconds });
    const { client, calls, pauses } = clientWith(validSession, {
      "/api/cart/items": [unavailable("5")],
      "/api/cart": [unavailable("5"), unavailable("5")],
      "/api/products": [unavailable("120")],
    });
    await expect(client.post("/api/cart/items", { productId: "p", quantity: 1 })).rejects.toMatchObject({ status: 503 });
    await expect(client.get("/api/cart")).rejects.toMatchObject({ status: 503 });
    await expect(client.get("/api/products")).rejects.toMatchObject({ status: 503 });
    expect(calls.map((c) => c.path)).toEqual(["/api/cart/items", "/api/cart", "/api/cart", "/api/products"]);
    expect(pauses).toEqual([5000]);
  });

  it("reports an unreachable server in words", async () => {
    const sessions = new SessionStore(new MemoryStorage());
    const client = new ApiClient({ fetch: () => Promise.reject(new TypeError("Failed to fetch")), sessions });
    await expect(client.get("/api/products")).rejects.toMatchObject({ status: 0, message: expect.stringContaining("could not be reached") });
  });

  it("revokes the refresh token on the server before forgetting the session", async () => {
    let storedDuringRevoke: Session | null = null;
    const { client, calls, sessions } = clientWith(validSession, {
      "/api/auth/logout": [
        () => {
          storedDuringRevoke = sessions.read();
          return new Response(null, { status: 204 });
        },
      ],
    });
    await client.logout();
    expect(calls[0]?.body).toEqual({ refreshToken: "refresh-0" });
    // The server ends a session only for its owner: the logout is signed in with the session's access token.
    expect(calls[0]?.authorization).toBe("Bearer access-0");
    expect(storedDuringRevoke).not.toBeNull();
    expect(sessions.read()).toBeNull();
  });

  it("signs out locally even when the server cannot be reached", async () => {
    const sessions = new SessionStore(new MemoryStorage());
    sessions.write(validSession);
    const client = new ApiClient({ fetch: () => Promise.reject(new TypeError("Failed to fetch")), sessions });
    await client.logout();
    expect(sessions.read()).toBeNull();
  });
});
