// Setup for every web component test file (vitest.config.ts, project "web").
import { cleanup, configure } from "@testing-library/react";
import { afterEach } from "vitest";

// How long `findBy…` and `waitFor` wait for the UI. The default second is an idle machine's budget:
// with other test files running beside these on two busy cores, a lazy page took longer
// (docs/decisions/032). A passing test waits only as long as the UI takes.
configure({ asyncUtilTimeout: 5_000 });

// The project's files share their worker's modules and DOM (vitest.config.ts): what one test
// rendered must be gone before the next, whichever file it is in.
afterEach(() => cleanup());
