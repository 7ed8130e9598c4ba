import { useState } from "react";

import {
  ORDER_TERMS,
  PRICE_TYPES,
  STOCK_ACTIONS,
  type Order,
  type OrderBody,
  type OrderTerm,
  type PriceType,
} from "../api/types";
import { AccountPicker } from "../components/AccountPicker";
import { LiveQuote } from "../components/LiveQuote";
import { PreviewPanel } from "../components/PreviewPanel";
import { SymbolSearch } from "../components/SymbolSearch";
import { Empty, ErrorText } from "../components/ui";
import { useAccount, useApp } from "../context";
import { fmtMoney, humanize, newClientOrderId } from "../format";
import { useLiveQuotes } from "../live";
import { useOrderTicket } from "../orderTicket";
import { OptionOrder } from "./OptionOrder";

export function TradePage() {
  const account = useAccount();
  const [tab, setTab] = useState<"stock" | "options">("stock");
  if (!account) return <Empty>Connect an account to trade.</Empty>;
  return (
    <>
      <div className="form-row">
        <AccountPicker />
      </div>
      <div className="tabs" role="tablist" aria-label="Order kind">
        <button type="button" role="tab" aria-selected={tab === "stock"} onClick={() => setTab("stock")}>
          Stock
        </button>
        <button type="button" role="tab" aria-selected={tab === "options"} onClick={() => setTab("options")}>
          Options (multi-leg)
        </button>
      </div>
      {tab === "stock" ? <StockOrder key={account.id} /> : <OptionOrder key={account.id} />}
    </>
  );
}

type Errors = Partial<Record<"symbol" | "quantity" | "limit_price" | "stop_price" | "trail_amount", string>>;

function positive(text: string): boolean {
  const value = Number(text);
  return text.trim() !== "" && Number.isFinite(value) && value > 0;
}

function StockOrder() {
  const { client } = useApp();
  const account = useAccount();
  const [symbol, setSymbol] = useState("AAPL");
  const [action, setAction] = useState<(typeof STOCK_ACTIONS)[number]>("BUY");
  const [quantity, setQuantity] = useState("1");
  const [priceType, setPriceType] = useState<PriceType>("MARKET");
  const [limit, setLimit] = useState("");
  const [stop, setStop] = useState("");
  const [trail, setTrail] = useState("");
  const [term, setTerm] = useState<OrderTerm>("GOOD_FOR_DAY");
  const [errors, setErrors] = useState<Errors>({});
  const { preview, placed, busy, error, start, requestPreview, confirm, edit } = useOrderTicket(account?.id ?? "");
  const { quotes, error: quoteError, mode } = useLiveQuotes(client, account, symbol ? [symbol] : []);
  if (!account) return null;

  const needsLimit = priceType === "LIMIT" || priceType === "STOP_LIMIT";
  const needsStop = priceType === "STOP" || priceType === "STOP_LIMIT";
  const needsTrail = priceType === "TRAILING_STOP";

  const validate = (): OrderBody | null => {
    const found: Errors = {};
    if (!/^[A-Z][A-Z0-9.]{0,9}$/.test(symbol)) found.symbol = "Enter a ticker such as AAPL.";
    if (!positive(quantity)) found.quantity = "Quantity must be a number above zero.";
    if (needsLimit && !positive(limit)) found.limit_price = "A limit order needs a limit price above zero.";
    if (needsStop && !positive(stop)) found.stop_price = "A stop order needs a stop price above zero.";
    if (needsTrail && !positive(trail)) found.trail_amount = "A trailing stop needs a trail amount above zero.";
    setErrors(found);
    if (Object.keys(found).length > 0) return null;
    return {
      symbol,
      order_action: action,
      quantity,
      price_type: priceType,
      order_term: term,
      ...(needsLimit ? { limit_price: limit } : {}),
      ...(needsStop ? { stop_price: stop } : {}),
      ...(needsTrail ? { trail_amount: trail } : {}),
      client_order_id: newClientOrderId(),
    };
  };

  const runPreview = async () => {
    start();
    const body = validate();
    if (body) await requestPreview(body);
  };

  const editing = preview === null;
  return (
    <>
      <section className="card" aria-label="Quote">
        <LiveQuote quote={quotes[symbol]} mode={mode} />
        <ErrorText error={quoteError} />
      </section>
      <form
        className="card"
        aria-label="Stock order"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void runPreview();
        }}
      >
        <fieldset disabled={!editing || busy} className="form-row plain-fieldset">
          <legend className="visually-hidden">Order details</legend>
          <SymbolSearch accountId={account.id} value={symbol} onChange={setSymbol} error={errors.symbol} />
          <label className="field">
            <span>Action</span>
            <select value={action} onChange={(e) => setAction(e.target.value as typeof action)}>
              {STOCK_ACTIONS.map((a) => (
                <option key={a} value={a}>
                  {humanize(a)}
                </option>
              ))}
            </select>
          </label>
          <Field label="Quantity" value={quantity} onChange={setQuantity} error={errors.quantity} />
          <label className="field">
            <span>Order type</span>
            <select value={priceType} onChange={(e) => setPriceType(e.target.value as PriceType)}>
              {PRICE_TYPES.map((p) => (
                <option key={p} value={p}>
                  {humanize(p)}
                </option>
              ))}
            </select>
          </label>
          {needsLimit ? <Field label="Limit price" value={limit} onChange={setLimit} error={errors.limit_price} /> : null}
          {needsStop ? <Field label="Stop price" value={stop} onChange={setStop} error={errors.stop_price} /> : null}
          {needsTrail ? (
            <Field label="Trail amount" value={trail} onChange={setTrail} error={errors.trail_amount} />
          ) : null}
          <label className="field">
            <span>Term</span>
            <select value={term} onChange={(e) => setTerm(e.target.value as OrderTerm)}>
              {ORDER_TERMS.map((t) => (
                <option key={t} value={t}>
                  {humanize(t)}
                </option>
              ))}
            </select>
          </label>
        </fieldset>
        {editing ? (
          <div className="actions">
            <button type="submit" className="primary" disabled={busy}>
              {busy ? "Previewing…" : "Preview order"}
            </button>
          </div>
        ) : null}
        <ErrorText error={error} />
      </form>
      {preview ? (
        <PreviewPanel
          preview={preview.result}
          busy={busy}
          onConfirm={() => void confirm()}
          onEdit={edit}
        />
      ) : null}
      {placed ? <PlacedNotice order={placed} /> : null}
    </>
  );
}

export function PlacedNotice({ order }: { order: Order }) {
  return (
    <section className="card" role="status" aria-live="polite">
      <h2>Order placed</h2>
      <p>
        Order <code>{order.order_id}</code> is <strong>{humanize(order.status)}</strong>
        {order.filled_quantity > 0 ? ` · filled ${order.filled_quantity} at ${fmtMoney(order.average_fill_price)}` : ""}
        {order.reject_reason ? ` · ${order.reject_reason}` : ""}.
      </p>
      <a href="#/orders">See it in Orders</a>
    </section>
  );
}

export function Field({
  label,
  value,
  onChange,
  error,
  inputMode = "decimal",
}: {
  label: string;
  value: string;
  onChange: (value: string) => void;
  error?: string | undefined;
  inputMode?: "decimal" | "numeric" | "text";
}) {
  const id = `f-${label.replace(/\W+/g, "-").toLowerCase()}`;
  return (
    <div className="field">
      <label htmlFor={id}>
        <span className="field-label">{label}</span>
      </label>
      <input
        id={id}
        inputMode={inputMode}
        value={value}
        onChange={(e) => onChange(e.target.value)}
        aria-invalid={error ? true : undefined}
        aria-describedby={error ? `${id}-error` : undefined}
      />
      {error ? (
        <p className="error" id={`${id}-error`} role="alert">
          {error}
        </p>
      ) : null}
    </div>
  );
}
