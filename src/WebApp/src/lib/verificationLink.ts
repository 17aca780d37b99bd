/**
 * The token of a verification link, /verify-email#token=… (the gateway's email puts it in the fragment, which a browser
 * never sends to a server or in a Referer). Null when there is none or it cannot be one.
 */
export function tokenFromHash(hash: string): string | null {
  const token = new URLSearchParams(hash.replace(/^#/, "")).get("token");
  return token && /^[A-Za-z0-9_-]{20,200}$/.test(token) ? token : null;
}
