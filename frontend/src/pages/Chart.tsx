export function ChartPage() {
  return <p className="muted">Coming soon.</p>;
}
