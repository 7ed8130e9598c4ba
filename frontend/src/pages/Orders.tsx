import { useCallback, useEffect, useState } from "react";

import { plainError } from "../api/client";
import type { Order, OrderBody, OrderStatus, OrderTerm } from "../api/types";
import { AccountPicker } from "../components/AccountPicker";
import { Badge, Empty, ErrorText, Loading } from "../components/ui";
import { useAccount, useApp } from "../context";
import { fmtMoney, fmtNumber, fmtTime, humanize, newClientOrderId } from "../format";
import { useInterval } from "../live";

const GROUPS: { id: string; label: string; statuses: OrderStatus[] }[] = [
  { id: "open", label: "Open", statuses: ["PENDING", "OPEN", "PARTIALLY_FILLED", "UNKNOWN"] },
  { id: "executed", label: "Executed", statuses: ["FILLED"] },
  { id: "cancelled", label: "Cancelled", statuses: ["CANCELLED", "REJECTED", "EXPIRED", "REPLACED"] },
];
const REFRESH_MS = 5000;
const TERM_NAMES: Record<string, OrderTerm> = {
  DAY: "GOOD_FOR_DAY",
  GTC: "GOOD_UNTIL_CANCEL",
  IOC: "IMMEDIATE_OR_CANCEL",
  FOK: "FILL_OR_KILL",
};

function tone(status: OrderStatus): "ok" | "warn" | "bad" | "info" {
  if (status === "FILLED") return "ok";
  if (status === "REJECTED" || status === "UNKNOWN") return "bad";
  if (status === "CANCELLED" || status === "EXPIRED" || status === "REPLACED") return "info";
  return "warn";
}

function describe(order: Order): string {
  return order.legs.map((l) => `${humanize(l.order_action)} ${fmtNumber(l.quantity)} ${l.symbol.trim()}`).join(" / ");
}

export function OrdersPage() {
  const { client } = useApp();
  const account = useAccount();
  const [orders, setOrders] = useState<Order[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [group, setGroup] = useState("open");
  const accountId = account?.id ?? null;

  const load = useCallback(async () => {
    if (!accountId) return;
    try {
      setOrders(await client.orders(accountId));
      setError(null);
    } catch (caught) {
      setError(plainError(caught));
    }
  }, [client, accountId]);

  useEffect(() => setOrders(null), [accountId]);
  useInterval(load, REFRESH_MS, accountId !== null);

  if (!account) return <Empty>No account connected.</Empty>;
  const current = GROUPS.find((g) => g.id === group) ?? GROUPS[0]!;
  const shown = (orders ?? [])
    .filter((o) => current.statuses.includes(o.status))
    .sort((a, b) => b.created_at.localeCompare(a.created_at));
  return (
    <>
      <div className="form-row">
        <AccountPicker />
      </div>
      <div className="tabs" role="tablist" aria-label="Order status">
        {GROUPS.map((g) => (
          <button
            key={g.id}
            type="button"
            role="tab"
            id={`tab-${g.id}`}
            aria-selected={g.id === group}
            aria-controls="orders-panel"
            onClick={() => setGroup(g.id)}
          >
            {g.label}
            {orders ? ` (${orders.filter((o) => g.statuses.includes(o.status)).length})` : ""}
          </button>
        ))}
      </div>
      <div role="tabpanel" id="orders-panel" aria-labelledby={`tab-${current.id}`}>
        <ErrorText error={error} />
        {orders === null ? (
          !error && <Loading what="orders" />
        ) : shown.length === 0 ? (
          <Empty>
            <p>No {current.label.toLowerCase()} orders.</p>
          </Empty>
        ) : (
          <ul className="plain orders">
            {shown.map((order) => (
              <OrderRow key={order.order_id} order={order} accountId={account.id} onChanged={load} />
            ))}
          </ul>
        )}
      </div>
    </>
  );
}

function OrderRow({ order, accountId, onChanged }: { order: Order; accountId: string; onChanged: () => Promise<void> }) {
  const { client } = useApp();
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [replacing, setReplacing] = useState(false);
  const working = ["PENDING", "OPEN", "PARTIALLY_FILLED"].includes(order.status);

  const cancel = async () => {
    setBusy(true);
    setError(null);
    try {
      await client.cancel(accountId, order.order_id);
      await onChanged();
    } catch (caught) {
      setError(plainError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <li className="card order" aria-label={`Order ${order.order_id}`} data-order-id={order.order_id}>
      <div className="card-head">
        <div>
          <strong>{describe(order)}</strong> <Badge tone={tone(order.status)}>{humanize(order.status)}</Badge>
          <div className="muted small">
            {humanize(order.price_type)}
            {order.limit_price !== null ? ` · limit ${fmtMoney(order.limit_price)}` : ""}
            {order.stop_price !== null ? ` · stop ${fmtMoney(order.stop_price)}` : ""} · {humanize(order.order_term)} ·
            filled {fmtNumber(order.filled_quantity)}
            {order.average_fill_price !== null ? ` at ${fmtMoney(order.average_fill_price)}` : ""} · placed{" "}
            {fmtTime(order.created_at)}
            {order.reject_reason ? ` · ${order.reject_reason}` : ""}
          </div>
        </div>
        {working ? (
          <div className="actions">
            <button type="button" onClick={() => setReplacing(!replacing)} aria-expanded={replacing} disabled={busy}>
              Replace
            </button>
            <button type="button" className="danger" onClick={() => void cancel()} disabled={busy}>
              {busy ? "Cancelling…" : "Cancel order"}
            </button>
          </div>
        ) : null}
      </div>
      <ErrorText error={error} />
      {replacing ? (
        <ReplaceForm
          order={order}
          accountId={accountId}
          onDone={async () => {
            setReplacing(false);
            await onChanged();
          }}
        />
      ) : null}
    </li>
  );
}

function ReplaceForm({ order, accountId, onDone }: { order: Order; accountId: string; onDone: () => Promise<void> }) {
  const { client } = useApp();
  const single = order.legs.length === 1 ? order.legs[0] : undefined;
  const [quantity, setQuantity] = useState(String(single?.quantity ?? ""));
  const [limit, setLimit] = useState(order.limit_price !== null ? String(order.limit_price) : "");
  const [stop, setStop] = useState(order.stop_price !== null ? String(order.stop_price) : "");
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const needsLimit = order.price_type === "LIMIT" || order.price_type === "STOP_LIMIT";
  const needsStop = order.price_type === "STOP" || order.price_type === "STOP_LIMIT";

  const submit = async () => {
    if (single && !(Number(quantity) > 0)) return setError("Quantity must be a number above zero.");
    if (needsLimit && !(Number(limit) > 0 || (order.legs.length > 1 && limit.trim() !== "")))
      return setError("Enter the new limit price.");
    if (needsStop && !(Number(stop) > 0)) return setError("Enter the new stop price.");
    const body: OrderBody = {
      ...(single
        ? { symbol: single.symbol, order_action: single.order_action, quantity }
        : { legs: order.legs.map((l) => ({ symbol: l.symbol, order_action: l.order_action, quantity: l.quantity })) }),
      price_type: order.price_type,
      order_term: TERM_NAMES[order.order_term] ?? (order.order_term as OrderTerm),
      ...(needsLimit ? { limit_price: limit } : {}),
      ...(needsStop ? { stop_price: stop } : {}),
      ...(order.trail_amount !== null ? { trail_amount: String(order.trail_amount) } : {}),
      client_order_id: newClientOrderId(),
    };
    setBusy(true);
    setError(null);
    try {
      await client.replace(accountId, order.order_id, body);
      await onDone();
    } catch (caught) {
      setError(plainError(caught));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form
      className="form-row"
      aria-label={`Replace order ${order.order_id}`}
      noValidate
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {single ? (
        <label className="field">
          <span>New quantity</span>
          <input inputMode="decimal" value={quantity} onChange={(e) => setQuantity(e.target.value)} />
        </label>
      ) : null}
      {needsLimit ? (
        <label className="field">
          <span>New limit price</span>
          <input inputMode="decimal" value={limit} onChange={(e) => setLimit(e.target.value)} />
        </label>
      ) : null}
      {needsStop ? (
        <label className="field">
          <span>New stop price</span>
          <input inputMode="decimal" value={stop} onChange={(e) => setStop(e.target.value)} />
        </label>
      ) : null}
      <button type="submit" className="primary" disabled={busy}>
        {busy ? "Replacing…" : "Send replacement"}
      </button>
      <ErrorText error={error} />
    </form>
  );
}
