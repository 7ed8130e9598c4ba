import { fmtMoney } from "../format";

const COLORS = ["#2563eb", "#16a34a", "#d97706", "#9333ea", "#dc2626", "#0891b2", "#4b5563", "#db2777"];

/** A labelled bar chart of shares of a whole; the figures are text, so screen readers get them. */
export function AllocationChart({ title, slices }: { title: string; slices: { label: string; value: number }[] }) {
  const positive = slices.filter((s) => s.value > 0);
  const total = positive.reduce((sum, s) => sum + s.value, 0);
  return (
    <figure className="allocation" aria-label={title}>
      <figcaption>{title}</figcaption>
      {total <= 0 ? (
        <p className="muted">Nothing to allocate yet.</p>
      ) : (
        <>
          <div className="stack" aria-hidden="true">
            {positive.map((slice, index) => (
              <span
                key={slice.label}
                style={{ width: `${(slice.value / total) * 100}%`, background: COLORS[index % COLORS.length] }}
              />
            ))}
          </div>
          <ul className="legend">
            {positive.map((slice, index) => (
              <li key={slice.label}>
                <span className="swatch" style={{ background: COLORS[index % COLORS.length] }} aria-hidden="true" />
                <span className="legend-label">{slice.label}</span>
                <span className="num">{((slice.value / total) * 100).toFixed(1)}%</span>
                <span className="num muted">{fmtMoney(slice.value)}</span>
              </li>
            ))}
          </ul>
        </>
      )}
    </figure>
  );
}
