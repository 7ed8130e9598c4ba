import { useState } from "react";

import { plainError } from "./api/client";
import type { Order, OrderBody, Preview } from "./api/types";
import { useApp } from "./context";

/**
 * The preview-then-confirm flow shared by stock and option orders: preview a body, place
 * exactly that body (its client order id makes a retried Confirm return the same order),
 * and sync the account after a fill so the position shows on Accounts and Overview.
 */
export function useOrderTicket(accountId: string) {
  const { client, reloadAccounts } = useApp();
  const [preview, setPreview] = useState<{ body: OrderBody; result: Preview } | null>(null);
  const [placed, setPlaced] = useState<Order | null>(null);
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const run = async (task: () => Promise<void>) => {
    setBusy(true);
    setError(null);
    try {
      await task();
    } catch (caught) {
      setError(plainError(caught));
    } finally {
      setBusy(false);
    }
  };

  /** Forget the last result before a new order is checked. */
  const start = () => {
    setPlaced(null);
    setError(null);
  };

  const requestPreview = (body: OrderBody) =>
    run(async () => setPreview({ body, result: await client.preview(accountId, body) }));

  const confirm = async () => {
    if (!preview) return;
    await run(async () => {
      const order = await client.place(accountId, preview.body);
      setPlaced(order);
      setPreview(null);
      if (order.filled_quantity > 0) await client.sync(accountId, true).then(reloadAccounts);
    });
  };

  return { preview, placed, busy, error, setError, start, requestPreview, confirm, edit: () => setPreview(null) };
}
