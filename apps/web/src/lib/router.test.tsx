import { act, cleanup, render, screen, waitFor } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import type { ReactNode } from "react";
import { afterEach, describe, expect, it, vi } from "vitest";
import { createBrowserRouter, createMemoryRouter, Link, Navigate, NavLink, RouterView, useLocation, useSearchParams, type Route, type Router } from "./router.tsx";

/** A page chunk the test resolves (or fails) when it chooses. */
function deferredPage(name: string) {
  let resolve!: () => void;
  let reject!: (error: Error) => void;
  const loaded = new Promise<void>((onResolve, onReject) => {
    resolve = onResolve;
    reject = onReject;
  });
  const Page = () => <h1>{name}</h1>;
  return { lazy: async () => (await loaded, Page), resolve, reject };
}

function Frame({ children }: { children: ReactNode }) {
  return (
    <div>
      <nav aria-label="Main">
        <NavLink to="/" end>
          Home
        </NavLink>
        <NavLink to="/docs">Docs</NavLink>
      </nav>
      {children}
    </div>
  );
}

function Home() {
  return (
    <>
      <h1>Home</h1>
      <Link to="/docs?page=2">Docs</Link>
    </>
  );
}

function Docs() {
  const searchParams = useSearchParams();
  const { state } = useLocation();
  return (
    <h1>
      Docs page {searchParams.get("page")} {(state as { from?: string } | null)?.from}
    </h1>
  );
}

const eagerRoutes: Route[] = [
  { path: "/", layout: Frame, Component: Home },
  { path: "/docs", layout: Frame, Component: Docs },
  { path: "/old", Component: () => <Navigate to="/docs?page=1" replace /> },
  { path: "*", Component: () => <h1>Not found</h1> },
];

function renderRouter(router: Router) {
  render(<RouterView router={router} pending={<p>Loading page</p>} failed={<p>Page failed</p>} />);
}

const href = (router: Router) => `${router.state.location.pathname}${router.state.location.search}`;

afterEach(() => {
  cleanup();
  vi.restoreAllMocks();
  window.history.replaceState(null, "", "/");
});

describe("router", () => {
  it("matches paths without case or a trailing slash, and answers other paths with the * route", () => {
    renderRouter(createMemoryRouter(eagerRoutes, "/DOCS/?page=3"));
    expect(screen.getByRole("heading").textContent).toBe("Docs page 3 ");
    cleanup();
    renderRouter(createMemoryRouter(eagerRoutes, "/nowhere"));
    expect(screen.getByRole("heading", { name: "Not found" })).toBeTruthy();
  });

  it("navigates in place on a plain click, and marks the current page's navigation link", async () => {
    const router = createMemoryRouter(eagerRoutes, "/");
    renderRouter(router);
    const home = screen.getByRole("link", { name: "Home" });
    expect(home.getAttribute("aria-current")).toBe("page");
    expect(home.className).toBe("active");

    await userEvent.click(screen.getAllByRole("link", { name: "Docs" })[1]!);
    expect(href(router)).toBe("/docs?page=2");
    expect(screen.getByRole("heading").textContent).toBe("Docs page 2 ");
    expect(screen.getByRole("link", { name: "Home" }).getAttribute("aria-current")).toBeNull();
    expect(screen.getByRole("link", { name: "Docs" }).getAttribute("aria-current")).toBe("page");
  });

  it("leaves a modified click (new tab, new window) to the browser", async () => {
    const router = createMemoryRouter(eagerRoutes, "/");
    renderRouter(router);
    const link = screen.getAllByRole("link", { name: "Docs" })[1]!;
    expect(link.getAttribute("href")).toBe("/docs?page=2");
    const user = userEvent.setup();
    await user.keyboard("{Control>}");
    await user.click(link);
    await user.keyboard("{/Control}");
    expect(href(router)).toBe("/");
  });

  it("redirects with <Navigate>, and carries navigation state to the next page", async () => {
    const router = createMemoryRouter(eagerRoutes, "/old");
    renderRouter(router);
    await waitFor(() => expect(href(router)).toBe("/docs?page=1"));
    await act(() => router.navigate("/docs?page=4", { state: { from: "test" } }));
    expect(screen.getByRole("heading").textContent).toBe("Docs page 4 test");
  });

  it("shows the pending element until the first page's chunk loads, then the page", async () => {
    const chunk = deferredPage("Lazy");
    renderRouter(createMemoryRouter([{ path: "/", lazy: chunk.lazy }, ...eagerRoutes.slice(1)], "/"));
    expect(screen.getByText("Loading page")).toBeTruthy();
    await act(async () => chunk.resolve());
    expect(screen.getByRole("heading", { name: "Lazy" })).toBeTruthy();
  });

  it("keeps the current page and URL while the next page's chunk loads", async () => {
    const chunk = deferredPage("Lazy");
    const router = createMemoryRouter([...eagerRoutes.slice(0, -1), { path: "/lazy", lazy: chunk.lazy }, eagerRoutes.at(-1)!], "/");
    renderRouter(router);
    let navigated = false;
    const navigation = router.navigate("/lazy").then(() => (navigated = true));
    await Promise.resolve();
    expect(href(router)).toBe("/");
    expect(screen.getByRole("heading", { name: "Home" })).toBeTruthy();
    expect(navigated).toBe(false);

    await act(async () => {
      chunk.resolve();
      await navigation;
    });
    expect(href(router)).toBe("/lazy");
    expect(screen.getByRole("heading", { name: "Lazy" })).toBeTruthy();
  });

  it("lets the latest navigation win over a slower earlier one", async () => {
    const slow = deferredPage("Slow");
    const router = createMemoryRouter([...eagerRoutes.slice(0, -1), { path: "/slow", lazy: slow.lazy }, eagerRoutes.at(-1)!], "/");
    renderRouter(router);
    const first = router.navigate("/slow");
    await act(() => router.navigate("/docs?page=9"));
    await act(async () => {
      slow.resolve();
      await first;
    });
    expect(href(router)).toBe("/docs?page=9");
    expect(screen.getByRole("heading").textContent).toBe("Docs page 9 ");
  });

  it("shows the failed element when a page's chunk does not load", async () => {
    const broken = deferredPage("Broken");
    const router = createMemoryRouter([...eagerRoutes.slice(0, -1), { path: "/broken", lazy: broken.lazy }, eagerRoutes.at(-1)!], "/");
    renderRouter(router);
    const navigation = router.navigate("/broken");
    await act(async () => {
      broken.reject(new Error("Failed to fetch dynamically imported module"));
      await navigation;
    });
    expect(screen.getByText("Page failed")).toBeTruthy();
    expect(href(router)).toBe("/broken");
  });

  describe("in the browser's history", () => {
    it("pushes entries (scrolling to the top), replaces on request or for the same URL, and follows Back", async () => {
      window.history.replaceState(null, "", "/");
      const scrollTo = vi.spyOn(window, "scrollTo").mockImplementation(() => {});
      const router = createBrowserRouter(eagerRoutes);
      renderRouter(router);
      const startLength = window.history.length;

      await act(() => router.navigate("/docs?page=1", { state: { from: "home" } }));
      expect(`${window.location.pathname}${window.location.search}`).toBe("/docs?page=1");
      expect(window.history.state).toEqual({ from: "home" });
      expect(window.history.length).toBe(startLength + 1);
      expect(scrollTo).toHaveBeenCalledWith(0, 0);

      scrollTo.mockClear();
      await act(() => router.navigate("/docs?page=1"));
      await act(() => router.navigate("/docs?page=2", { replace: true }));
      expect(window.history.length).toBe(startLength + 1);
      expect(window.location.search).toBe("?page=2");
      expect(scrollTo).not.toHaveBeenCalled();

      await act(async () => {
        window.history.back();
        await waitFor(() => expect(window.location.pathname).toBe("/"));
      });
      await waitFor(() => expect(screen.getByRole("heading", { name: "Home" })).toBeTruthy());
      expect(href(router)).toBe("/");
    });
  });
});
