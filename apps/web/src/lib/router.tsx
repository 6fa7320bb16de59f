// The app's client-side router, in place of React Router (docs/decisions/030): the app's URLs are
// a short list of fixed paths, so matching is a comparison, and React Router's 29 KB gzip was
// a quarter of the first load. Like React Router's data router, a navigation first loads the
// page's chunk and only then changes the URL and the screen (the old page stays until then).
import {
  createContext,
  useContext,
  useEffect,
  useLayoutEffect,
  useMemo,
  useSyncExternalStore,
  type AnchorHTMLAttributes,
  type ComponentType,
  type MouseEvent,
  type ReactNode,
} from "react";

export type Location = { pathname: string; search: string; hash: string; state: unknown };
/** A path with its query and fragment ("/sign-in?next=%2F"), or its parts. */
export type To = string | { pathname: string; search?: string; hash?: string };
export type NavigateOptions = { replace?: boolean; state?: unknown };

/** A URL of the app: a fixed path ("*" answers every other), its page, and the frame around it. */
export type Route = { path: string; layout?: ComponentType<{ children: ReactNode }> } & (
  | { Component: ComponentType }
  /** The page's own chunk, loaded when the route first matches. */
  | { lazy: () => Promise<ComponentType> }
);

/** What is on screen; `page` is null while the first page loads, `failed` when its chunk would not load. */
export type RouterState = {
  location: Location;
  route: Route;
  page: ComponentType | null;
  failed: boolean;
  /** "push" scrolls to the top, as a document load would; "replace" and "pop" keep the position. */
  action: "push" | "replace" | "pop";
};

export type Router = {
  readonly state: RouterState;
  /** Resolves once the page is loaded and the location changed (or a later navigation won). */
  navigate(to: To, options?: NavigateOptions): Promise<void>;
  subscribe(listener: () => void): () => void;
};

/** Where the router reads and writes the current location: the browser's history, or memory in tests. */
type LocationStore = {
  read(): Location;
  write(location: Location, replace: boolean): void;
  /** Back and forward buttons. */
  onPop(listener: () => void): void;
};

export function createBrowserRouter(routes: Route[]): Router {
  const read = (): Location => {
    const { pathname, search, hash } = window.location;
    return { pathname, search, hash, state: window.history.state };
  };
  return createRouter(routes, {
    read,
    write(location, replace) {
      if (replace) window.history.replaceState(location.state, "", createHref(location));
      else window.history.pushState(location.state, "", createHref(location));
    },
    onPop: (listener) => window.addEventListener("popstate", listener),
  });
}

/** A router that keeps its location in memory, starting at `path` (component tests). */
export function createMemoryRouter(routes: Route[], path: string): Router {
  let current: Location = { ...parsePath(path), state: null };
  return createRouter(routes, { read: () => current, write: (location) => (current = location), onPop: () => {} });
}

function createRouter(routes: Route[], store: LocationStore): Router {
  const loaded = new Map<Route, ComponentType>();
  const listeners = new Set<() => void>();
  const initial = store.read();
  const initialRoute = matchRoute(routes, initial.pathname);
  let state: RouterState = { location: initial, route: initialRoute, page: getLoadedPage(initialRoute), failed: false, action: "pop" };
  // Only the latest navigation may change the screen: a slow chunk must not undo a later click.
  let latestNavigation = 0;

  function getLoadedPage(route: Route): ComponentType | null {
    return "Component" in route ? route.Component : (loaded.get(route) ?? null);
  }

  async function show(location: Location, action: RouterState["action"]): Promise<void> {
    const navigation = ++latestNavigation;
    const route = matchRoute(routes, location.pathname);
    let page = getLoadedPage(route);
    let failed = false;
    if (!page && "lazy" in route) {
      try {
        page = await route.lazy();
        loaded.set(route, page);
      } catch {
        failed = true;
      }
    }
    if (navigation !== latestNavigation) return;
    if (action !== "pop") store.write(location, action === "replace");
    state = { location, route, page, failed, action };
    for (const listener of listeners) listener();
  }

  store.onPop(() => void show(store.read(), "pop"));
  if (!state.page) void show(initial, "pop");

  return {
    get state() {
      return state;
    },
    navigate(to, { replace = false, state: locationState = null } = {}) {
      const location: Location = { hash: "", search: "", ...(typeof to === "string" ? parsePath(to) : to), state: locationState };
      // Following a link to the page already open adds no history entry (as React Router did).
      const samePage = createHref(location) === createHref(state.location);
      return show(location, replace || samePage ? "replace" : "push");
    },
    subscribe(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
  };
}

function parsePath(path: string): Omit<Location, "state"> {
  const url = new URL(path, "http://app.invalid");
  return { pathname: url.pathname, search: url.search, hash: url.hash };
}

function createHref(to: To): string {
  return typeof to === "string" ? to : `${to.pathname}${to.search ?? ""}${to.hash ?? ""}`;
}

/** Paths compare as React Router compared them: without case and ignoring a trailing slash. */
function normalizePath(pathname: string): string {
  return pathname.replace(/(.)\/+$/, "$1").toLowerCase();
}

function matchRoute(routes: Route[], pathname: string): Route {
  const path = normalizePath(pathname);
  const route = routes.find((candidate) => normalizePath(candidate.path) === path) ?? routes.find((candidate) => candidate.path === "*");
  if (!route) throw new Error(`No route answers ${pathname}, and there is no "*" route`);
  return route;
}

const RouterContext = createContext<Router | null>(null);
const LocationContext = createContext<Location | null>(null);

/**
 * Renders the current route's page inside its layout. `pending` shows while the first page's chunk
 * loads (later navigations keep the old page meanwhile); `failed` when a page's chunk would not load.
 */
export function RouterView({ router, pending, failed }: { router: Router; pending: ReactNode; failed: ReactNode }) {
  const state = useSyncExternalStore(router.subscribe, () => router.state);
  useLayoutEffect(() => {
    if (state.action === "push") window.scrollTo(0, 0);
  }, [state]);
  const Page = state.page;
  const Layout = state.route.layout;
  const content = state.failed ? failed : Page ? Layout ? <Layout><Page /></Layout> : <Page /> : pending;
  return (
    <RouterContext value={router}>
      <LocationContext value={state.location}>{content}</LocationContext>
    </RouterContext>
  );
}

function useRouter(): Router {
  const router = useContext(RouterContext);
  if (!router) throw new Error("Router hooks and links need a <RouterView> above them");
  return router;
}

export function useLocation(): Location {
  const location = useContext(LocationContext);
  if (!location) throw new Error("Router hooks and links need a <RouterView> above them");
  return location;
}

export function useNavigate(): Router["navigate"] {
  return useRouter().navigate;
}

export function useSearchParams(): URLSearchParams {
  const { search } = useLocation();
  return useMemo(() => new URLSearchParams(search), [search]);
}

/** Goes to `to` on mount (a redirect while rendering). */
export function Navigate({ to, replace = false }: { to: string; replace?: boolean }) {
  const navigate = useNavigate();
  useEffect(() => {
    void navigate(to, { replace });
  }, [navigate, to, replace]);
  return null;
}

type LinkProps = Omit<AnchorHTMLAttributes<HTMLAnchorElement>, "href"> & {
  to: string;
  /** Leaves the app and loads `to` as a new document (a fresh start, no in-memory state). */
  reloadDocument?: boolean;
};

/** An ordinary link (open in a new tab, copy the address) that navigates in the app on a plain click. */
export function Link({ to, reloadDocument = false, onClick, ...props }: LinkProps) {
  const navigate = useNavigate();
  function handleClick(event: MouseEvent<HTMLAnchorElement>) {
    onClick?.(event);
    const plainClick = event.button === 0 && !event.metaKey && !event.altKey && !event.ctrlKey && !event.shiftKey;
    const sameTab = !props.target || props.target === "_self";
    if (reloadDocument || event.defaultPrevented || !plainClick || !sameTab) return;
    event.preventDefault();
    void navigate(to);
  }
  return <a {...props} href={to} onClick={handleClick} />;
}

/** A navigation link marked `aria-current="page"` and `.active` on its page and, unless `end`, below it. */
export function NavLink({ to, end = false, ...props }: Omit<LinkProps, "className"> & { end?: boolean }) {
  const current = normalizePath(useLocation().pathname);
  const target = normalizePath(to);
  const active = current === target || (!end && current.startsWith(target === "/" ? "/" : `${target}/`));
  return <Link {...props} to={to} className={active ? "active" : undefined} aria-current={active ? "page" : undefined} />;
}
