// The files `pnpm gen router <name> [field:type …]` creates, modelled on the `note` feature: the
// router, its test, the web page and the page's test, each carrying the feature's fields
// (feature-fields.ts says what each type becomes). Edit these to change what every new feature starts as.
import { getLabelField, toFormReader, toSampleValue, toTsType, toZodSchema, type FeatureField } from "./feature-fields.ts";
import type { FeatureNames } from "./router-generator.ts";

/** `{ title: "First title", done: true }`: an input with every field, as a TypeScript literal. */
function renderSampleInput(fields: readonly FeatureField[], variant: 0 | 1 = 0): string {
  return `{ ${fields.map((field) => `${field.name}: ${toSampleValue(field, variant)}`).join(", ")} }`;
}

export function renderRouter(n: FeatureNames, fields: readonly FeatureField[]): string {
  const select = ["id", ...fields.map((field) => field.name), "createdAt", "updatedAt"].map((name) => `${name}: true`).join(", ");
  const schemas = fields.map((field) => `  ${field.name}: ${toZodSchema(field, n.words)},`).join("\n");
  return `// ${n.pluralTitle} owned by the signed-in user (made by \`pnpm gen router ${n.kebab}\`; make it yours).
// Another user's ${n.words} answers NOT_FOUND, never FORBIDDEN, so ids cannot be probed.
import { TRPCError } from "@trpc/server";
import { z } from "zod";
import { router, verifiedProcedure } from "../trpc.ts";

const ${n.constant}_SELECT = { ${select} } as const;

const ${n.camel}Id = z.object({ id: z.string().min(1).max(64) });
const ${n.camel}Fields = z.object({
${schemas}
});

const notFound = () => new TRPCError({ code: "NOT_FOUND", message: "No such ${n.words}." });

export const ${n.camel}Router = router({
  list: verifiedProcedure.query(({ ctx }) =>
    ctx.db.${n.camel}.findMany({ where: { ownerId: ctx.user.id }, select: ${n.constant}_SELECT, orderBy: { updatedAt: "desc" } }),
  ),

  byId: verifiedProcedure.input(${n.camel}Id).query(async ({ ctx, input }) => {
    const ${n.camel} = await ctx.db.${n.camel}.findFirst({ where: { id: input.id, ownerId: ctx.user.id }, select: ${n.constant}_SELECT });
    if (!${n.camel}) throw notFound();
    return ${n.camel};
  }),

  create: verifiedProcedure.input(${n.camel}Fields).mutation(({ ctx, input }) =>
    ctx.db.${n.camel}.create({ data: { ...input, ownerId: ctx.user.id }, select: ${n.constant}_SELECT }),
  ),

  update: verifiedProcedure.input(${n.camel}Id.extend(${n.camel}Fields.shape)).mutation(async ({ ctx, input }) => {
    const { id, ...fields } = input;
    const { count } = await ctx.db.${n.camel}.updateMany({ where: { id, ownerId: ctx.user.id }, data: fields });
    if (count === 0) throw notFound();
    return ctx.db.${n.camel}.findUniqueOrThrow({ where: { id }, select: ${n.constant}_SELECT });
  }),

  delete: verifiedProcedure.input(${n.camel}Id).mutation(async ({ ctx, input }) => {
    const { count } = await ctx.db.${n.camel}.deleteMany({ where: { id: input.id, ownerId: ctx.user.id } });
    if (count === 0) throw notFound();
    return { deleted: input.id };
  }),
});
`;
}

export function renderRouterTest(n: FeatureNames, fields: readonly FeatureField[]): string {
  const label = getLabelField(fields).name;
  const first = renderSampleInput(fields);
  const second = renderSampleInput(fields, 1);
  return `import { afterAll, describe, expect, it } from "vitest";
import { createSession } from "../auth/session.ts";
import { createTestCaller, createTestConfig, createTestDatabase, createTestUser } from "../../../../tests/setup/server.ts";

const db = createTestDatabase();
const config = createTestConfig();
afterAll(() => db.$disconnect());

async function signedInCaller() {
  const user = await createTestUser(db);
  const { token } = await createSession(db, { userId: user.id, kind: "cookie", metadata: { userAgent: null, ip: null } }, config.session, new Date());
  return { user, ...(await createTestCaller({ db, config }, { type: "cookie", token })) };
}

describe("${n.camel} router", () => {
  it("requires a session", async () => {
    const { caller } = await createTestCaller({ db, config });
    await expect(caller.${n.camel}.list()).rejects.toMatchObject({ code: "UNAUTHORIZED" });
    await expect(caller.${n.camel}.create(${first})).rejects.toMatchObject({ code: "UNAUTHORIZED" });
  });

  it("creates, lists, reads, updates and deletes the user's ${n.pluralTitle.toLowerCase()}", async () => {
    const { caller } = await signedInCaller();
    const ${n.camel} = await caller.${n.camel}.create(${first});
    expect(${n.camel}).toMatchObject(${first});
    expect(await caller.${n.camel}.list()).toEqual([${n.camel}]);
    expect(await caller.${n.camel}.byId({ id: ${n.camel}.id })).toEqual(${n.camel});
    const updated = await caller.${n.camel}.update({ id: ${n.camel}.id, ...${second} });
    expect(updated).toMatchObject(${second});
    await caller.${n.camel}.delete({ id: ${n.camel}.id });
    expect(await caller.${n.camel}.list()).toEqual([]);
  });

  it("treats another user's ${n.words} as missing: NOT_FOUND, never changed", async () => {
    const owner = await signedInCaller();
    const other = await signedInCaller();
    const ${n.camel} = await owner.caller.${n.camel}.create(${first});
    for (const attempt of [
      () => other.caller.${n.camel}.byId({ id: ${n.camel}.id }),
      () => other.caller.${n.camel}.update({ id: ${n.camel}.id, ...${second} }),
      () => other.caller.${n.camel}.delete({ id: ${n.camel}.id }),
    ]) {
      await expect(attempt()).rejects.toMatchObject({ code: "NOT_FOUND" });
    }
    expect(await other.caller.${n.camel}.list()).toEqual([]);
    expect(await owner.caller.${n.camel}.byId({ id: ${n.camel}.id })).toMatchObject(${first});
  });

  it("rejects an empty ${label} with a field error and writes nothing", async () => {
    const { caller, user } = await signedInCaller();
    await expect(caller.${n.camel}.create({ ...${first}, ${label}: "   " })).rejects.toMatchObject({ code: "BAD_REQUEST" });
    expect(await db.${n.camel}.count({ where: { ownerId: user.id } })).toBe(0);
  });
});
`;
}

/** The form control of one field: a FormField, or a checkbox for a boolean. */
function renderFormControl(field: FeatureField): string {
  if (field.type === "boolean") {
    return `          <label className="checkbox">
            <input type="checkbox" name="${field.name}" /> ${field.label}
          </label>`;
  }
  const attributes = [
    `label="${field.label}"`,
    `name="${field.name}"`,
    ...(field.type === "string" ? [] : ['type="number"']),
    ...(field.optional ? [] : ["required"]),
    `error={getFieldErrors(create.error).${field.name}}`,
  ];
  return `          <FormField ${attributes.join(" ")} />`;
}

/** How one field of an item shows in the list (the label field is its heading). */
function renderItemDetail(field: FeatureField, item: string): string {
  const value = field.type === "boolean" ? `${item}.${field.name} ? "yes" : "no"` : `${item}.${field.name}`;
  const line = `<p className="muted">${field.label}: {${value}}</p>`;
  return field.optional && field.type !== "boolean" ? `{${item}.${field.name} !== null && ${line}}` : line;
}

export function renderPage(n: FeatureNames, fields: readonly FeatureField[]): string {
  const items = n.pluralCamel;
  const label = getLabelField(fields).name;
  const readers = fields.map((field) => `    ${field.name}: ${toFormReader(field)},`).join("\n");
  const controls = fields.map(renderFormControl).join("\n");
  const details = fields
    .filter((field) => field.name !== label)
    .map((field) => `                ${renderItemDetail(field, n.camel)}`)
    .join("\n");
  return `// ${n.pluralTitle}: the signed-in user's ${n.pluralTitle.toLowerCase()}, newest first, with create and delete
// (made by \`pnpm gen router ${n.kebab}\`; make it yours).
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import type { FormEvent } from "react";
import { FormField } from "../../components/form-field.tsx";
import { EmptyState, ErrorAlert, ListSkeleton, LoadError } from "../../components/message.tsx";
import { getErrorMessage, getFieldErrors } from "../../lib/api-error.ts";
import { useTRPC } from "../../lib/trpc.ts";

/** The form's fields as the API takes them (an empty optional field is null). */
function readFields(form: HTMLFormElement) {
  const data = new FormData(form);
  return {
${readers}
  };
}

export function ${n.pluralPascal}Page() {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const ${items} = useQuery(trpc.${n.camel}.list.queryOptions());
  const refreshList = () => queryClient.invalidateQueries(trpc.${n.camel}.list.queryFilter());
  const create = useMutation(trpc.${n.camel}.create.mutationOptions({ onSuccess: refreshList }));
  const remove = useMutation(trpc.${n.camel}.delete.mutationOptions({ onSuccess: refreshList }));

  function handleCreate(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    const form = event.currentTarget;
    create.mutate(readFields(form), { onSuccess: () => form.reset() });
  }

  return (
    <>
      <h1>${n.pluralTitle}</h1>
      <section className="card" aria-labelledby="new-${n.kebab}-heading">
        <h2 id="new-${n.kebab}-heading">New ${n.words}</h2>
        <form aria-label="New ${n.words}" onSubmit={handleCreate} noValidate>
          <ErrorAlert message={getErrorMessage(create.error)} />
${controls}
          <div className="actions">
            <button type="submit" disabled={create.isPending}>
              {create.isPending ? "Creating…" : "Create ${n.words}"}
            </button>
          </div>
        </form>
      </section>
      <section aria-labelledby="${n.pluralKebab}-heading">
        <h2 id="${n.pluralKebab}-heading">Your ${n.pluralTitle.toLowerCase()}</h2>
        <ErrorAlert message={getErrorMessage(remove.error)} />
        {${items}.isPending ? (
          <ListSkeleton label="${n.pluralTitle.toLowerCase()}" />
        ) : ${items}.isError ? (
          <LoadError error={${items}.error} onRetry={() => void ${items}.refetch()} />
        ) : ${items}.data.length === 0 ? (
          <EmptyState title="No ${n.pluralTitle.toLowerCase()} yet">Create the first one above.</EmptyState>
        ) : (
          <ul className="list" aria-label="${n.pluralTitle}">
            {${items}.data.map((${n.camel}) => (
              <li key={${n.camel}.id} className="card" aria-label={${n.camel}.${label}}>
                <h3>{${n.camel}.${label}}</h3>
${details}
                <div className="actions">
                  <button type="button" className="button-danger" onClick={() => remove.mutate({ id: ${n.camel}.id })} disabled={remove.isPending}>
                    Delete
                  </button>
                </div>
              </li>
            ))}
          </ul>
        )}
      </section>
    </>
  );
}
`;
}

/** What the page sends when the test fills in the label field and the required numbers only. */
function renderSubmittedInput(fields: readonly FeatureField[], label: string): string {
  const value = (field: FeatureField) => {
    if (field.name === label) return '"First"';
    if (field.type === "boolean") return "false";
    if (field.optional) return "null";
    return field.type === "string" ? '""' : toSampleValue(field);
  };
  return `{ ${fields.map((field) => `${field.name}: ${value(field)}`).join(", ")} }`;
}

export function renderPageTest(n: FeatureNames, fields: readonly FeatureField[]): string {
  const label = getLabelField(fields);
  const itemType = fields.map((field) => `${field.name}: ${toTsType(field)}`).join("; ");
  const typeRequiredNumbers = fields
    .filter((field) => !field.optional && (field.type === "int" || field.type === "float"))
    .map((field) => `\n    await user.type(screen.getByLabelText("${field.label}"), "${toSampleValue(field)}");`)
    .join("");
  return `import { cleanup, screen, waitFor, within } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { installFakeApi, SIGNED_IN } from "../../testing/fake-api.ts";
import { renderApp } from "../../testing/render-app.tsx";

type ${n.pascal} = { id: string; ${itemType}; createdAt: Date; updatedAt: Date };

let api: ReturnType<typeof installFakeApi>;
let ${n.pluralCamel}: ${n.pascal}[];

beforeEach(() => {
  api = installFakeApi();
  ${n.pluralCamel} = [];
  api.on("auth.me", () => SIGNED_IN);
  api.on("${n.camel}.list", () => ${n.pluralCamel});
  api.on("${n.camel}.create", (input) => {
    const now = new Date();
    const created = { id: \`${n.kebab}-\${${n.pluralCamel}.length + 1}\`, ...(input as Omit<${n.pascal}, "id" | "createdAt" | "updatedAt">), createdAt: now, updatedAt: now };
    ${n.pluralCamel} = [created, ...${n.pluralCamel}];
    return created;
  });
  api.on("${n.camel}.delete", (input) => {
    const { id } = input as { id: string };
    ${n.pluralCamel} = ${n.pluralCamel}.filter((item) => item.id !== id);
    return { deleted: id };
  });
});

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("${n.pluralPascal}Page", () => {
  it("is linked from the main navigation", async () => {
    renderApp("/${n.pluralKebab}");
    await screen.findByRole("heading", { name: "${n.pluralTitle}", level: 1 });
    expect(within(screen.getByRole("navigation", { name: "Main" })).getByRole("link", { name: "${n.pluralTitle}" })).toBeTruthy();
  });

  it("creates a ${n.words}, shows it, and deletes it", async () => {
    renderApp("/${n.pluralKebab}");
    const user = userEvent.setup();
    await user.type(await screen.findByLabelText("${label.label}"), "First");${typeRequiredNumbers}
    await user.click(screen.getByRole("button", { name: "Create ${n.words}" }));

    const item = await screen.findByRole("listitem", { name: "First" });
    expect(api.callsTo("${n.camel}.create")).toEqual([${renderSubmittedInput(fields, label.name)}]);
    await user.click(within(item).getByRole("button", { name: "Delete" }));
    await waitFor(() => expect(screen.queryByRole("listitem", { name: "First" })).toBeNull());
    expect(api.callsTo("${n.camel}.delete")).toEqual([{ id: "${n.kebab}-1" }]);
  });
});
`;
}
