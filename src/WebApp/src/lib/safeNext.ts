/** Where to go after signing in: only a path on this site, never another origin ("//evil.example" or "https://…"). */
export function safeNext(next: string | null | undefined, fallback = "/"): string {
  if (!next || !next.startsWith("/") || next.startsWith("//") || next.startsWith("/\\")) return fallback;
  return next;
}
