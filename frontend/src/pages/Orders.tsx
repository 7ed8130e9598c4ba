export function OrdersPage() {
  return <p className="muted">Coming soon.</p>;
}
