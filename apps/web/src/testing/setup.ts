// Setup for every web component test file (vitest.config.ts, project "web").
import { configure } from "@testing-library/react";

// How long `findBy…` and `waitFor` wait for the UI. The default second is an idle machine's budget:
// with other test files running beside these on two busy cores, a lazy page took longer
// (docs/decisions/032). A passing test waits only as long as the UI takes.
configure({ asyncUtilTimeout: 5_000 });
