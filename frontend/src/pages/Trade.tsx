export function TradePage() {
  return <p className="muted">Coming soon.</p>;
}
