import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { sessions } from "./api/shopApi";
import { App } from "./App";
import "./styles.css";

// Another tab signed in, out, or renewed the session: follow it here.
window.addEventListener("storage", (event) => {
  if (event.key === sessions.key || event.key === null) sessions.notifyExternalChange();
});

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");
createRoot(root).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
