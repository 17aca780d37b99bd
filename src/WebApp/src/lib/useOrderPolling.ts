import { useCallback, useEffect, useRef, useState } from "react";
import type { ApiError } from "../api/problems";
import { orders } from "../api/shopApi";
import type { Order } from "../api/types";
import { cancellationShows, isSettled } from "./orderStatus";
import { isAbort, toApiError } from "./useQuery";

export const PollInterval = 1000;
/** Right after checkout the saga may not have placed the order yet: a 404 then means "not yet", for this long. */
export const PlacementGrace = 30_000;
const MaxBackoff = 8000;
/** How long to wait for an accepted request (cancel, return, ...) to show on the order before polling stops on a settled order again. */
const RequestShowsWithin = 120_000;

export interface OrderPoll {
  order: Order | null;
  /** The order is not visible yet (still being placed). */
  placing: boolean;
  /** The last poll failed; polling goes on with a growing pause. */
  error: ApiError | null;
  /** Polling stopped for good because the order does not exist. */
  notFound: boolean;
  /** Polls again after a failure. */
  retry(): void;
  /** Polls again after a cancel was accepted, until the order shows it (a settled order would otherwise stop polling first). */
  followCancellation(): void;
  /** Polls again after another request was accepted (a return, shipping), until the order moves on from its status now. */
  followStatusChange(): void;
}

/** Follows an order live: polls until nothing more will happen to it by itself. */
export function useOrderPolling(orderId: string, justPlaced: boolean): OrderPoll {
  const [order, setOrder] = useState<Order | null>(null);
  const [placing, setPlacing] = useState(false);
  const [error, setError] = useState<ApiError | null>(null);
  const [notFound, setNotFound] = useState(false);
  const [run, setRun] = useState(0);
  const started = useRef(Date.now());
  const followSince = useRef<number | null>(null);
  const followUntil = useRef<(order: Order) => boolean>(cancellationShows);

  useEffect(() => {
    const controller = new AbortController();
    let timer: ReturnType<typeof setTimeout> | undefined;
    let failures = 0;
    const next = (delay: number) => {
      timer = setTimeout(poll, delay);
    };
    const poll = async () => {
      try {
        const current = await orders.get(orderId, controller.signal);
        if (controller.signal.aborted) return;
        failures = 0;
        setOrder(current);
        setPlacing(false);
        setError(null);
        if (followSince.current !== null && (followUntil.current(current) || Date.now() - followSince.current > RequestShowsWithin))
          followSince.current = null;
        if (!isSettled(current) || followSince.current !== null) next(PollInterval);
      } catch (e) {
        if (controller.signal.aborted || isAbort(e)) return;
        const problem = toApiError(e);
        if (problem.isNotFound) {
          if (justPlaced && Date.now() - started.current < PlacementGrace) {
            setPlacing(true);
            next(PollInterval / 2);
          } else {
            setPlacing(false);
            setNotFound(true);
          }
          return;
        }
        if (problem.status === 401 || problem.status === 403) {
          setError(problem);
          return;
        }
        failures++;
        setError(problem);
        next(Math.min(MaxBackoff, PollInterval * 2 ** failures));
      }
    };
    void poll();
    return () => {
      controller.abort();
      if (timer) clearTimeout(timer);
    };
  }, [orderId, justPlaced, run]);

  const retry = useCallback(() => setRun((r) => r + 1), []);
  const follow = useCallback((until: (order: Order) => boolean) => {
    followUntil.current = until;
    followSince.current = Date.now();
    setRun((r) => r + 1);
  }, []);
  const followCancellation = useCallback(() => follow(cancellationShows), [follow]);
  const followStatusChange = useCallback(() => {
    const from = order?.status;
    follow((current) => current.status !== from);
  }, [follow, order?.status]);
  return { order, placing, error, notFound, retry, followCancellation, followStatusChange };
}
