// Small shared pieces: error text, loading and empty states, a status badge.
import type { ReactNode } from "react";

export function ErrorText({ error, id }: { error: string | null; id?: string }) {
  if (!error) return null;
  return (
    <p className="error" role="alert" id={id}>
      {error}
    </p>
  );
}

export function Loading({ what }: { what: string }) {
  return (
    <p className="muted" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" /> Loading {what}…
    </p>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function Badge({ tone, children }: { tone: "ok" | "warn" | "bad" | "info"; children: ReactNode }) {
  return <span className={`badge ${tone}`}>{children}</span>;
}

export function Unavailable({ what, needs }: { what: string; needs: string }) {
  return (
    <section className="card unavailable" aria-labelledby="unavailable-title">
      <h2 id="unavailable-title">{what}: not available in this build</h2>
      <p>
        This server has no {needs} yet, so there is nothing to show here. The page fills in by itself once a
        brokerhub version with that API is running — no data is made up in the meantime.
      </p>
    </section>
  );
}
