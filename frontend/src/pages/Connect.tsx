export function ConnectPage() {
  return <p className="muted">Coming soon.</p>;
}
