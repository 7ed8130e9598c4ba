import { useEffect, useMemo, useState } from "react";

import { plainError } from "../api/client";
import {
  OPTION_ACTIONS,
  ORDER_TERMS,
  type Chain,
  type OrderBody,
  type OrderTerm,
} from "../api/types";
import { PreviewPanel } from "../components/PreviewPanel";
import { SymbolSearch } from "../components/SymbolSearch";
import { ErrorText, Loading } from "../components/ui";
import { useAccount, useApp } from "../context";
import { fmtMoney, humanize, newClientOrderId } from "../format";
import { useOrderTicket } from "../orderTicket";
import { Field, PlacedNotice } from "./Trade";

interface Leg {
  id: number;
  type: "call" | "put";
  strike: string;
  action: (typeof OPTION_ACTIONS)[number];
  quantity: string;
}

let nextLegId = 1;
function newLeg(strike = "", action: Leg["action"] = "BUY_TO_OPEN"): Leg {
  return { id: nextLegId++, type: "call", strike, action, quantity: "1" };
}

/** A multi-leg option order built from the chain: expiration and strike pickers per leg. */
export function OptionOrder() {
  const { client } = useApp();
  const account = useAccount();
  const [underlying, setUnderlying] = useState("AAPL");
  const [expirations, setExpirations] = useState<string[] | null>(null);
  const [expiration, setExpiration] = useState("");
  const [chain, setChain] = useState<Chain | null>(null);
  const [legs, setLegs] = useState<Leg[]>([]);
  const [priceType, setPriceType] = useState<"MARKET" | "LIMIT">("LIMIT");
  const [netPrice, setNetPrice] = useState("");
  const [term, setTerm] = useState<OrderTerm>("GOOD_FOR_DAY");
  const [formError, setFormError] = useState<string | null>(null);
  const accountId = account?.id ?? "";
  const { preview, placed, busy, error, setError, start, requestPreview, confirm, edit } =
    useOrderTicket(accountId);

  useEffect(() => {
    if (!accountId || !underlying) return;
    setExpirations(null);
    setChain(null);
    setError(null);
    client
      .expirations(accountId, underlying)
      .then((found) => {
        setExpirations(found);
        setExpiration(found[0] ?? "");
      })
      .catch((e: unknown) => (setError(plainError(e)), setExpirations([])));
  }, [client, accountId, underlying]);

  useEffect(() => {
    if (!accountId || !expiration) return;
    setChain(null);
    client
      .chain(accountId, underlying, expiration)
      .then((found) => {
        setChain(found);
        const strikes = found.calls.map((c) => c.strike);
        const near = found.underlying_price ?? strikes[Math.floor(strikes.length / 2)] ?? 0;
        const atm = strikes.reduce((best, s) => (Math.abs(s - near) < Math.abs(best - near) ? s : best), strikes[0] ?? 0);
        setLegs([newLeg(String(atm))]);
      })
      .catch((e: unknown) => setError(plainError(e)));
  }, [client, accountId, underlying, expiration]);

  const strikes = useMemo(() => {
    if (!chain) return { call: [] as number[], put: [] as number[] };
    return { call: chain.calls.map((c) => c.strike), put: chain.puts.map((p) => p.strike) };
  }, [chain]);

  const contract = (leg: Leg) =>
    (leg.type === "call" ? chain?.calls : chain?.puts)?.find((c) => String(c.strike) === leg.strike);

  const update = (id: number, change: Partial<Leg>) => setLegs(legs.map((l) => (l.id === id ? { ...l, ...change } : l)));

  const runPreview = async () => {
    start();
    if (legs.length === 0) return setFormError("Add at least one leg.");
    const bodyLegs = [];
    for (const leg of legs) {
      const found = contract(leg);
      if (!found) return setFormError(`No ${leg.type} at strike ${leg.strike} in this expiration.`);
      if (!(Number(leg.quantity) > 0)) return setFormError("Every leg needs a quantity above zero.");
      bodyLegs.push({ symbol: found.symbol, order_action: leg.action, quantity: leg.quantity });
    }
    if (priceType === "LIMIT" && (netPrice.trim() === "" || !Number.isFinite(Number(netPrice)))) {
      return setFormError("Enter the net limit price (negative for a credit).");
    }
    setFormError(null);
    const body: OrderBody = {
      legs: bodyLegs,
      price_type: priceType,
      order_term: term,
      ...(priceType === "LIMIT" ? { limit_price: netPrice } : {}),
      client_order_id: newClientOrderId(),
    };
    await requestPreview(body);
  };

  if (!account) return null;
  return (
    <>
      <form
        className="card"
        aria-label="Option order"
        noValidate
        onSubmit={(event) => {
          event.preventDefault();
          void runPreview();
        }}
      >
        <fieldset disabled={preview !== null || busy} className="plain-fieldset">
          <legend className="visually-hidden">Option order details</legend>
          <div className="form-row">
            <SymbolSearch accountId={accountId} label="Underlying" value={underlying} onChange={setUnderlying} />
            <label className="field">
              <span>Expiration</span>
              <select value={expiration} onChange={(e) => setExpiration(e.target.value)} disabled={!expirations?.length}>
                {(expirations ?? []).map((d) => (
                  <option key={d} value={d}>
                    {d}
                  </option>
                ))}
              </select>
            </label>
            {chain?.underlying_price != null ? (
              <p className="muted">Underlying {fmtMoney(chain.underlying_price)}</p>
            ) : null}
          </div>
          {expirations === null || (expiration && !chain && !error) ? <Loading what="the option chain" /> : null}
          {expirations?.length === 0 && !error ? <p className="muted">No options are listed for {underlying}.</p> : null}
          {chain
            ? legs.map((leg, index) => {
                const found = contract(leg);
                return (
                  <fieldset key={leg.id} className="leg" aria-label={`Leg ${index + 1}`}>
                    <legend className="visually-hidden">Leg {index + 1}</legend>
                    <label className="field">
                      <span>Action</span>
                      <select value={leg.action} onChange={(e) => update(leg.id, { action: e.target.value as Leg["action"] })}>
                        {OPTION_ACTIONS.map((a) => (
                          <option key={a} value={a}>
                            {humanize(a)}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label className="field">
                      <span>Type</span>
                      <select value={leg.type} onChange={(e) => update(leg.id, { type: e.target.value as Leg["type"] })}>
                        <option value="call">Call</option>
                        <option value="put">Put</option>
                      </select>
                    </label>
                    <label className="field">
                      <span>Strike</span>
                      <select value={leg.strike} onChange={(e) => update(leg.id, { strike: e.target.value })}>
                        {strikes[leg.type].map((s) => (
                          <option key={s} value={String(s)}>
                            {s}
                          </option>
                        ))}
                      </select>
                    </label>
                    <label className="field">
                      <span>Contracts</span>
                      <input
                        inputMode="numeric"
                        value={leg.quantity}
                        onChange={(e) => update(leg.id, { quantity: e.target.value })}
                      />
                    </label>
                    <span className="muted small">
                      {found ? `${found.symbol.trim()} · bid ${fmtMoney(found.bid)} · ask ${fmtMoney(found.ask)}` : ""}
                    </span>
                    <button type="button" onClick={() => setLegs(legs.filter((l) => l.id !== leg.id))}>
                      Remove leg
                    </button>
                  </fieldset>
                );
              })
            : null}
          {chain ? (
            <div className="form-row">
              <button type="button" onClick={() => setLegs([...legs, newLeg(legs[0]?.strike ?? "", "SELL_TO_OPEN")])}>
                Add leg
              </button>
              <label className="field">
                <span>Order type</span>
                <select value={priceType} onChange={(e) => setPriceType(e.target.value as "MARKET" | "LIMIT")}>
                  <option value="LIMIT">Net limit</option>
                  <option value="MARKET">Market</option>
                </select>
              </label>
              {priceType === "LIMIT" ? <Field label="Net price (debit +, credit −)" value={netPrice} onChange={setNetPrice} /> : null}
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
            </div>
          ) : null}
        </fieldset>
        <ErrorText error={formError} />
        {preview === null && chain ? (
          <button type="submit" className="primary" disabled={busy}>
            {busy ? "Previewing…" : "Preview order"}
          </button>
        ) : null}
        <ErrorText error={error} />
      </form>
      {preview ? (
        <PreviewPanel preview={preview.result} busy={busy} onConfirm={() => void confirm()} onEdit={edit} />
      ) : null}
      {placed ? <PlacedNotice order={placed} /> : null}
    </>
  );
}
