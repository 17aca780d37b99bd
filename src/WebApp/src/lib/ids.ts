/** A random UUID v4. crypto.randomUUID exists only on secure origins; getRandomValues exists everywhere. */
export function newIdempotencyKey(random: (bytes: Uint8Array) => Uint8Array = (b) => crypto.getRandomValues(b)): string {
  const bytes = random(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * Whether a retry of the same checkout must reuse its idempotency key: when the first attempt may have reached the
 * server (no answer, or a server error), so that it cannot place a second order. A clear refusal (4xx) gets a new key,
 * so the corrected retry is not answered with the stored refusal.
 */
export function keepKeyAfterFailure(status: number): boolean {
  return status === 0 || status >= 500;
}
