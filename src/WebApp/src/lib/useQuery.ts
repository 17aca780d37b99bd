import { type DependencyList, useCallback, useEffect, useState } from "react";
import { ApiError } from "../api/problems";

export type QueryState<T> =
  | { status: "loading"; data?: T }
  | { status: "error"; error: ApiError; data?: T }
  | { status: "ready"; data: T };

export function toApiError(error: unknown): ApiError {
  if (error instanceof ApiError) return error;
  return new ApiError(-1, "Something unexpected went wrong in the page. Reload it and try again.");
}

export function isAbort(error: unknown): boolean {
  return error instanceof DOMException && error.name === "AbortError";
}

/**
 * Loads data for a page: loading, error and ready states, a reload, and a cancelled request when the inputs change or
 * the page goes away (so a slow old answer never overwrites a newer one).
 */
export function useQuery<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList) {
  const [state, setState] = useState<QueryState<T>>({ status: "loading" });
  const [generation, setGeneration] = useState(0);

  useEffect(() => {
    const controller = new AbortController();
    setState((previous) => ({ status: "loading", data: previous.data }));
    load(controller.signal).then(
      (data) => !controller.signal.aborted && setState({ status: "ready", data }),
      (error: unknown) => !controller.signal.aborted && !isAbort(error) && setState((previous) => ({ status: "error", error: toApiError(error), data: previous.data })),
    );
    return () => controller.abort();
    // The caller lists what `load` depends on (like useEffect), so `load` itself is left out.
  }, [...deps, generation]);

  const reload = useCallback(() => setGeneration((g) => g + 1), []);
  const setData = useCallback((data: T) => setState({ status: "ready", data }), []);
  return { state, reload, setData };
}
