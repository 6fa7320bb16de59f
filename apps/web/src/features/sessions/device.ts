// Turns a User-Agent header into "Firefox on macOS" for the session list. Best effort only: the
// header is whatever the client chose to send, so unknown shapes fall back to a short excerpt.
const EXCERPT_LENGTH = 40;

// Order matters: Edge and Opera also say "Chrome", Chrome also says "Safari", iPhones also say
// "Mac OS X" and Android also says "Linux".
const BROWSERS: ReadonlyArray<[RegExp, string]> = [
  [/Edg(e|A|iOS)?\//, "Edge"],
  [/OPR\/|Opera/, "Opera"],
  [/SamsungBrowser\//, "Samsung Internet"],
  [/Firefox\/|FxiOS\//, "Firefox"],
  [/HeadlessChrome\//, "Headless Chrome"],
  [/Chrome\/|CriOS\/|Chromium\//, "Chrome"],
  [/Safari\//, "Safari"],
  [/^curl\//, "curl"],
];
const SYSTEMS: ReadonlyArray<[RegExp, string]> = [
  [/iPhone/, "iPhone"],
  [/iPad/, "iPad"],
  [/Android/, "Android"],
  [/CrOS/, "ChromeOS"],
  [/Windows/, "Windows"],
  [/Macintosh|Mac OS X/, "macOS"],
  [/Linux/, "Linux"],
];

function findName(userAgent: string, patterns: ReadonlyArray<[RegExp, string]>): string | undefined {
  return patterns.find(([pattern]) => pattern.test(userAgent))?.[1];
}

export function describeDevice(userAgent: string | null): string {
  if (!userAgent) return "Unknown device";
  const browser = findName(userAgent, BROWSERS);
  const system = findName(userAgent, SYSTEMS);
  if (browser && system) return `${browser} on ${system}`;
  const name = browser ?? system;
  if (name) return name;
  return userAgent.length > EXCERPT_LENGTH ? `${userAgent.slice(0, EXCERPT_LENGTH)}…` : userAgent;
}
