// Renders the whole app (real routes, providers and API clients) at a path, in memory.
import { render } from "@testing-library/react";
import { App, routes } from "../app.tsx";
import { createMemoryRouter } from "../lib/router.tsx";

export function renderApp(path: string) {
  const router = createMemoryRouter(routes, path);
  render(<App router={router} />);
  return {
    router,
    /** The current in-app URL, e.g. "/sign-in?next=%2Fsessions". */
    currentUrl: () => `${router.state.location.pathname}${router.state.location.search}`,
  };
}
