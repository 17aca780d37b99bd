import type { Cart } from "../api/types";

export interface CartProblems {
  itemCount: number;
  /** At least one line's price differs from when it was added. */
  priceChanged: boolean;
  /** Names of lines that are no longer sold: checkout refuses them. */
  unavailable: string[];
}

export function cartProblems(cart: Cart): CartProblems {
  return {
    itemCount: cart.items.reduce((sum, item) => sum + item.quantity, 0),
    priceChanged: cart.items.some((item) => item.priceChanged === true),
    // Absent means the server does not say: checkout will tell.
    unavailable: cart.items.filter((item) => item.available === false).map((item) => item.name),
  };
}
