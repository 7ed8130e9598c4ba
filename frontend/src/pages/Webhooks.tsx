export function WebhooksPage() {
  return <p className="muted">Coming soon.</p>;
}
