import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { App, routes } from "./app.tsx";
import { createBrowserRouter } from "./lib/router.tsx";
import "./styles.css";

const root = document.getElementById("root");
if (!root) throw new Error("index.html has no #root element");

createRoot(root).render(
  <StrictMode>
    <App router={createBrowserRouter(routes)} />
  </StrictMode>,
);
