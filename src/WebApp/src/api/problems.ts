/** An RFC 9457 problem as the services write it (ASP.NET ProblemDetails / ValidationProblemDetails). */
export interface ProblemDetails {
  type?: string;
  title?: string;
  detail?: string;
  status?: number;
  errors?: Record<string, string[] | string>;
  [extension: string]: unknown;
}

/** A failed API call, carrying what to tell the user. */
export class ApiError extends Error {
  readonly status: number;
  readonly problem: ProblemDetails | null;
  /** Validation messages keyed by the request field, lower camel case ("password", "price"). */
  readonly fieldErrors: Record<string, string[]>;

  constructor(status: number, message: string, problem: ProblemDetails | null = null) {
    super(message);
    this.name = "ApiError";
    this.status = status;
    this.problem = problem;
    this.fieldErrors = normalizeFieldErrors(problem?.errors);
  }

  get isNotFound(): boolean {
    return this.status === 404;
  }

  /** The request never got an answer (offline, server down, connection reset). */
  get isNetworkFailure(): boolean {
    return this.status === 0;
  }
}

/** The session could not be renewed: the user must sign in again. */
export class SessionExpiredError extends ApiError {
  constructor() {
    super(401, "Your session has ended. Please sign in again.");
    this.name = "SessionExpiredError";
  }
}

export function networkFailure(): ApiError {
  return new ApiError(0, "The shop could not be reached. Check your connection and try again.");
}

/** Turns an HTTP error response's status and (possibly absent or non-JSON) body into an ApiError with a sentence. */
export function errorFromResponse(status: number, body: unknown, retryAfterSeconds?: number): ApiError {
  const problem = isProblem(body) ? body : null;
  return new ApiError(status, describe(status, problem, retryAfterSeconds), problem);
}

function describe(status: number, problem: ProblemDetails | null, retryAfterSeconds?: number): string {
  if (status === 429) {
    const wait = retryAfterSeconds && retryAfterSeconds > 0 ? ` Try again in ${retryAfterSeconds} seconds.` : " Wait a moment and try again.";
    return "Too many requests." + wait;
  }
  const title = problem?.title?.trim();
  const detail = problem?.detail?.trim();
  const validation = Object.values(normalizeFieldErrors(problem?.errors)).flat();
  if (validation.length > 0 && (!detail || isGenericTitle(title))) {
    return validation.join(" ");
  }
  // The services put the specific sentence in `detail` ("The cart is empty.") under a general title.
  if (detail) return detail;
  if (title && !isGenericTitle(title)) return title;
  return fallbackMessage(status);
}

// ASP.NET fills `title` with the reason phrase when a handler gives none; such titles say nothing to a shopper.
const genericTitles = new Set([
  "one or more validation errors occurred.",
  "bad request",
  "unauthorized",
  "forbidden",
  "not found",
  "method not allowed",
  "conflict",
  "an error occurred while processing your request.",
  "internal server error",
  "service unavailable",
  "bad gateway",
  "gateway timeout",
]);

function isGenericTitle(title: string | undefined): boolean {
  return !title || genericTitles.has(title.toLowerCase());
}

export function fallbackMessage(status: number): string {
  switch (status) {
    case 400:
      return "The request was not accepted. Check what you entered and try again.";
    case 401:
      return "Please sign in to continue.";
    case 403:
      return "Your account is not allowed to do that.";
    case 404:
      return "That could not be found. It may have been removed.";
    case 405:
      return "The shop does not support this action yet.";
    case 409:
    case 412:
      return "This changed in the meantime. Reload and try again.";
    case 422:
      return "The request could not be processed.";
    default:
      return status >= 500
        ? `Something went wrong on our side (HTTP ${status}). Please try again in a moment.`
        : `The request failed (HTTP ${status}).`;
  }
}

function isProblem(body: unknown): body is ProblemDetails {
  return typeof body === "object" && body !== null && ("title" in body || "detail" in body || "errors" in body);
}

function normalizeFieldErrors(errors: ProblemDetails["errors"]): Record<string, string[]> {
  const result: Record<string, string[]> = {};
  if (!errors || typeof errors !== "object") return result;
  for (const [key, value] of Object.entries(errors)) {
    const messages = (Array.isArray(value) ? value : [value]).filter((m): m is string => typeof m === "string" && m.length > 0);
    if (messages.length === 0) continue;
    const field = fieldName(key);
    result[field] = [...(result[field] ?? []), ...messages];
  }
  return result;
}

/** "Password", "$.password", "request.Password" and "Lines[0].Quantity" all name a form field in lower camel case. */
function fieldName(key: string): string {
  const last = key.replace(/^\$\.?/, "").split(".").filter(Boolean).pop() ?? key;
  const plain = last.replace(/\[\d+\]$/, "");
  return plain.length > 0 ? plain.charAt(0).toLowerCase() + plain.slice(1) : "";
}
