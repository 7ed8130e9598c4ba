import react from "@vitejs/plugin-react";
import { defineConfig } from "vite";

// The build lands inside the Python package, which serves it at `/` and ships it in the wheel.
// build.outDir is resolved against this folder (the Vite root).
const outDir = "../src/brokerhub/api/dashboard";

export default defineConfig({
  plugins: [react()],
  base: "/",
  build: { outDir, emptyOutDir: true, chunkSizeWarningLimit: 800 },
  server: {
    proxy: {
      "/brokerage_integrations": "http://127.0.0.1:8000",
      "/health": "http://127.0.0.1:8000",
      "/ws": { target: "ws://127.0.0.1:8000", ws: true },
    },
  },
});
