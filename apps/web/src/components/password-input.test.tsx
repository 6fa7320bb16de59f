import { cleanup, render, screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it } from "vitest";
import { FormField } from "./form-field.tsx";

afterEach(cleanup);

describe("PasswordInput (every password FormField)", () => {
  it("shows and hides what was typed, keeping the label, name and autocomplete", async () => {
    render(<FormField label="Password" name="password" type="password" autoComplete="current-password" />);
    const user = userEvent.setup();
    const input = screen.getByLabelText("Password");
    await user.type(input, "hunter2 hunter2");
    expect(input.getAttribute("type")).toBe("password");
    expect(input.getAttribute("autocomplete")).toBe("current-password");

    const toggle = screen.getByRole("button", { name: "Show" });
    expect(toggle.getAttribute("aria-pressed")).toBe("false");
    expect(toggle.getAttribute("aria-controls")).toBe(input.id);
    await user.click(toggle);
    expect(input.getAttribute("type")).toBe("text");
    expect((input as HTMLInputElement).value).toBe("hunter2 hunter2");
    expect(screen.getByRole("button", { name: "Hide" }).getAttribute("aria-pressed")).toBe("true");

    await user.click(screen.getByRole("button", { name: "Hide" }));
    expect(input.getAttribute("type")).toBe("password");
  });
});
