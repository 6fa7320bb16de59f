import Bowser from "bowser";
import { describe, expect, it } from "vitest";
import { describeDevice } from "./device.ts";

describe("describeDevice", () => {
  it.each([
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari 17 on iPhone", "Phone"],
    ["Mozilla/5.0 (iPad; CPU OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1", "Safari 17 on iPad", "Tablet"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36 Edg/130.0.0.0", "Microsoft Edge 130 on Windows", "Computer"],
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/130.0.0.0 Safari/537.36", "Chrome 130 on Linux", "Computer"],
    ["latchkey-cli (Node v20.20.0; linux)", "latchkey-cli (Node v20.20.0; linux)", "Computer"],
    ["curl/8.5.0", "curl/8.5.0", null],
  ])("%s → %s (%s)", (userAgent, name, type) => {
    expect(describeDevice(Bowser, userAgent)).toEqual({ name, type });
  });

  it("says so when there is no header, and shortens a long unknown one", () => {
    expect(describeDevice(Bowser, null)).toEqual({ name: "Unknown device", type: null });
    expect(describeDevice(Bowser, `x${"y".repeat(60)}`).name).toBe(`x${"y".repeat(39)}…`);
  });
});
