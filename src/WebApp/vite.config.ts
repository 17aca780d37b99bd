import { defineConfig } from "vitest/config";
import react from "@vitejs/plugin-react";

// `npm run dev` serves the app with hot reload and forwards /api to a gateway started by `./shop start`.
const gateway = `http://127.0.0.1:${process.env.SHOP_GATEWAY_PORT ?? "8080"}`;

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: "dist",
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    proxy: { "/api": gateway },
  },
  test: {
    environment: "node",
    include: ["src/**/*.test.ts"],
  },
});
