// Display formatting: numbers stay as the API sent them until shown.
const money = new Intl.NumberFormat("en-US", { style: "currency", currency: "USD" });
const plain = new Intl.NumberFormat("en-US", { maximumFractionDigits: 4 });

export function fmtMoney(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : money.format(value);
}

export function fmtNumber(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : plain.format(value);
}

export function fmtPercent(value: number | null | undefined): string {
  return value === null || value === undefined ? "—" : `${value.toFixed(2)}%`;
}

export function fmtSigned(value: number | null | undefined): string {
  if (value === null || value === undefined) return "—";
  return `${value > 0 ? "+" : ""}${money.format(value)}`;
}

export function fmtTime(iso: string | null | undefined): string {
  if (!iso) return "never";
  return new Date(iso).toLocaleString();
}

export function pnlClass(value: number | null | undefined): string {
  if (!value) return "";
  return value > 0 ? "gain" : "loss";
}

export function accountLabel(account: { account_name: string | null; brokerage_name: string; account_id: string | null }): string {
  return account.account_name ?? `${account.brokerage_name} ${account.account_id ?? ""}`.trim();
}

export function humanize(name: string): string {
  return name.replace(/_/g, " ").toLowerCase().replace(/^\w/, (c) => c.toUpperCase());
}

/** A client order id made before preview, so Confirm can be retried without a second order. */
export function newClientOrderId(): string {
  const random = crypto.getRandomValues(new Uint32Array(2));
  return `web-${Date.now().toString(36)}-${Array.from(random, (n) => n.toString(36)).join("")}`;
}
