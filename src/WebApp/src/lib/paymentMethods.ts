/** The simulated provider's test tokens (Stripe's names); nothing real is ever charged. */
export const paymentMethods = [
  { token: "pm_card_visa", label: "Test Visa card — payment succeeds" },
  { token: "pm_card_chargeDeclined", label: "Test card — declined by the bank" },
  { token: "pm_card_insufficientFunds", label: "Test card — declined, insufficient funds" },
] as const;

export type PaymentToken = (typeof paymentMethods)[number]["token"];

export function paymentMethodLabel(token: string | undefined | null): string {
  return paymentMethods.find((method) => method.token === token)?.label ?? token ?? "Unknown";
}
