const formats = new Map<string, Intl.NumberFormat>();

/** "€54.90" — prices come as decimals in a currency's major unit. */
export function formatMoney(amount: number, currency = "EUR"): string {
  const code = /^[A-Z]{3}$/.test(currency) ? currency : "EUR";
  let format = formats.get(code);
  if (!format) {
    format = new Intl.NumberFormat("en-IE", { style: "currency", currency: code });
    formats.set(code, format);
  }
  return format.format(amount);
}

export function formatDateTime(iso: string | undefined | null): string {
  if (!iso) return "";
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString("en-GB", { dateStyle: "medium", timeStyle: "medium" });
}

/** The first block of a GUID: enough for a person to tell orders apart ("Order 0193a5f2"). */
export function shortId(id: string): string {
  return id.split("-")[0] ?? id;
}
