// Tells devices apart on the sessions page: browser and version, system, and device type, parsed
// from the User-Agent header by bowser (a maintained parser). It is loaded on demand, as the session
// list is its only user, which keeps it out of the app's first download. Best effort: the header is
// whatever the client chose to send, so unknown shapes fall back to a short excerpt.
import type Bowser from "bowser";
import { useEffect, useState } from "react";

export type UserAgentParser = typeof Bowser;
export type DeviceType = "Phone" | "Tablet" | "Computer" | "TV";

export interface DeviceDescription {
  /** "Safari 17 on iPhone", "Firefox 128 on macOS", or an excerpt of an unknown header. */
  name: string;
  type: DeviceType | null;
}

const EXCERPT_LENGTH = 40;
const DEVICE_TYPES: Record<string, DeviceType> = { mobile: "Phone", tablet: "Tablet", desktop: "Computer", tv: "TV" };

let loadedParser: UserAgentParser | null = null;
let loadingParser: Promise<UserAgentParser> | null = null;

function loadParser(): Promise<UserAgentParser> {
  loadingParser ??= import("bowser").then((module) => {
    loadedParser = module.default;
    return loadedParser;
  });
  return loadingParser;
}

/** The parser once loaded (null until then; the component renders again when it arrives). */
export function useUserAgentParser(): UserAgentParser | null {
  const [parser, setParser] = useState(loadedParser);
  useEffect(() => {
    if (parser) return;
    let active = true;
    void loadParser().then((loaded) => active && setParser(() => loaded));
    return () => {
      active = false;
    };
  }, [parser]);
  return parser;
}

export function describeDevice(parser: UserAgentParser, userAgent: string | null): DeviceDescription {
  if (!userAgent) return { name: "Unknown device", type: null };
  const { browser, os, platform } = parser.parse(userAgent);
  const type = (platform.type && DEVICE_TYPES[platform.type]) || null;
  const major = browser.version?.split(".")[0];
  const browserName = browser.name ? [browser.name, major].filter(Boolean).join(" ") : null;
  // "iPhone" says more than "iOS"; a desktop's model is rarely sent.
  const system = platform.model ?? os.name ?? null;
  if (browserName && system) return { name: `${browserName} on ${system}`, type };
  if (browserName) return { name: browserName, type };
  // Not a browser (a CLI, curl …): its own product token says more than the system alone.
  const excerpt = userAgent.length > EXCERPT_LENGTH ? `${userAgent.slice(0, EXCERPT_LENGTH)}…` : userAgent;
  return { name: excerpt, type };
}
