import { Unavailable } from "../components/ui";
import { useApp } from "../context";

export function DecisionsPage() {
  const { features } = useApp();
  if (!features.decisions) {
    return <Unavailable what="AI decisions and auto-trading" needs="AI decisions or auto-trading API" />;
  }
  return (
    <section className="card">
      <p>
        This server documents AI-decision endpoints, but this dashboard build does not show them yet. Use the API
        directly: <a href="/docs">API documentation</a>.
      </p>
    </section>
  );
}
