import type { Preview } from "../api/types";
import { fmtMoney } from "../format";

/** What an order would cost, with Confirm and Edit. Cash figures are signed (negative = paid). */
export function PreviewPanel({
  preview,
  busy,
  onConfirm,
  onEdit,
}: {
  preview: Preview;
  busy: boolean;
  onConfirm: () => void;
  onEdit: () => void;
}) {
  return (
    <section className="card preview" aria-labelledby="preview-title">
      <h2 id="preview-title">Order preview</h2>
      <dl>
        <dt>Estimated price</dt>
        <dd>{fmtMoney(preview.estimated_price)}</dd>
        <dt>Estimated cost</dt>
        <dd>{fmtMoney(preview.estimated_cost)}</dd>
        <dt>Commission</dt>
        <dd>{fmtMoney(preview.commission)}</dd>
        <dt>Fees</dt>
        <dd>{fmtMoney(preview.fees)}</dd>
        <dt>Estimated total</dt>
        <dd>{fmtMoney(preview.estimated_total)}</dd>
        {preview.buying_power_after !== null ? (
          <>
            <dt>Buying power after</dt>
            <dd>{fmtMoney(preview.buying_power_after)}</dd>
          </>
        ) : null}
      </dl>
      {preview.warnings.length > 0 ? (
        <ul className="warning" aria-label="Warnings">
          {preview.warnings.map((warning) => (
            <li key={warning}>{warning}</li>
          ))}
        </ul>
      ) : (
        <p className="muted small">No warnings.</p>
      )}
      <div className="actions">
        <button type="button" className="primary" onClick={onConfirm} disabled={busy}>
          {busy ? "Placing…" : "Confirm order"}
        </button>
        <button type="button" onClick={onEdit} disabled={busy}>
          Edit
        </button>
      </div>
    </section>
  );
}
