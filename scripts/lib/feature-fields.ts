// The fields of a generated feature: `pnpm gen router bookmark title:string url:string? done:boolean`.
// Each field is `name:type`, `?` making it optional; this module owns what each type becomes in the
// Prisma model, the zod schema, the web form and the tests (feature-templates.ts lays them out).

export const FIELD_TYPES = ["string", "int", "float", "boolean"] as const;
export type FieldType = (typeof FIELD_TYPES)[number];

export interface FeatureField {
  /** camelCase: the column, the input key and the form field's name. */
  name: string;
  type: FieldType;
  optional: boolean;
  /** `Due date`: the form label. */
  label: string;
}

/** Without field arguments a feature has a title, like `note`. */
export const DEFAULT_FIELDS = "title:string";

const FIELD_PATTERN = /^([a-z][a-zA-Z0-9]*):([a-z]+)(\?)?$/;
const MAX_FIELD_NAME_LENGTH = 40;
// Columns every generated model has already, and keys the generated code uses for itself.
const TAKEN_FIELD_NAMES = new Set(["id", "ownerId", "owner", "createdAt", "updatedAt", "constructor", "prototype"]);
const MAX_STRING_LENGTH = 200;

function toLabel(name: string): string {
  const words = name.replace(/([A-Z])/g, " $1").toLowerCase();
  return words.charAt(0).toUpperCase() + words.slice(1);
}

export type FieldsParse = { ok: true; fields: FeatureField[] } | { ok: false; problems: string[] };

/** The fields `specs` describe, or every reason they cannot be made. The first required string names each item. */
export function parseFeatureFields(specs: readonly string[]): FieldsParse {
  const problems: string[] = [];
  const fields: FeatureField[] = [];
  for (const spec of specs.length > 0 ? specs : [DEFAULT_FIELDS]) {
    const match = FIELD_PATTERN.exec(spec);
    if (!match) {
      problems.push(`"${spec}" is not a field: write name:type or name:type? (e.g. title:string, url:string?, done:boolean).`);
      continue;
    }
    const [, name, type, optional] = match as unknown as [string, string, string, string | undefined];
    if (!(FIELD_TYPES as readonly string[]).includes(type)) {
      problems.push(`"${spec}": the type must be one of ${FIELD_TYPES.join(", ")}.`);
    } else if (name.length > MAX_FIELD_NAME_LENGTH) {
      problems.push(`"${spec}": use a field name of at most ${MAX_FIELD_NAME_LENGTH} characters.`);
    } else if (TAKEN_FIELD_NAMES.has(name)) {
      problems.push(`"${spec}": ${name} is made for every feature already; choose another field name.`);
    } else if (fields.some((field) => field.name === name)) {
      problems.push(`"${spec}": ${name} is given twice.`);
    } else {
      fields.push({ name, type: type as FieldType, optional: Boolean(optional), label: toLabel(name) });
    }
  }
  if (problems.length === 0 && !fields.some(isLabelCandidate)) {
    problems.push("Give at least one required string field, e.g. title:string: it names each item in the list.");
  }
  return problems.length > 0 ? { ok: false, problems } : { ok: true, fields };
}

function isLabelCandidate(field: FeatureField): boolean {
  return field.type === "string" && !field.optional;
}

/** The field that names each item (in the list, its accessible name, the tests). */
export function getLabelField(fields: readonly FeatureField[]): FeatureField {
  const label = fields.find(isLabelCandidate);
  if (!label) throw new Error("parseFeatureFields guarantees a required string field.");
  return label;
}

/** The Prisma type of the column (`String?` for an optional string) and its attributes. */
export function toPrismaColumn(field: FeatureField): [type: string, attributes: string] {
  const base = { string: "String", int: "Int", float: "Float", boolean: "Boolean" }[field.type];
  if (field.optional) return [`${base}?`, ""];
  return [base, field.type === "boolean" ? "@default(false)" : ""];
}

/** The zod schema of the field's input. Optional fields take null (or nothing) and store null. */
export function toZodSchema(field: FeatureField, words: string): string {
  const nullable = ".nullish().transform((value) => value ?? null)";
  switch (field.type) {
    case "string":
      return field.optional
        ? `z.string().trim().max(${MAX_STRING_LENGTH}).nullish().transform((value) => value || null)`
        : `z.string().trim().min(1, "Give the ${words} a ${field.label.toLowerCase()}.").max(${MAX_STRING_LENGTH})`;
    case "int":
      return `z.number().int()${field.optional ? nullable : ""}`;
    case "float":
      return `z.number()${field.optional ? nullable : ""}`;
    case "boolean":
      return field.optional ? `z.boolean()${nullable}` : "z.boolean().default(false)";
  }
}

/** The TypeScript type of the field in an API answer. */
export function toTsType(field: FeatureField): string {
  const base = { string: "string", int: "number", float: "number", boolean: "boolean" }[field.type];
  return field.optional ? `${base} | null` : base;
}

/** A valid input value, as a TypeScript literal; `variant` gives a second, different one. */
export function toSampleValue(field: FeatureField, variant: 0 | 1 = 0): string {
  switch (field.type) {
    case "string":
      return JSON.stringify(variant === 0 ? `First ${field.label.toLowerCase()}` : `Renamed ${field.label.toLowerCase()}`);
    case "int":
      return variant === 0 ? "3" : "4";
    case "float":
      return variant === 0 ? "1.5" : "2.5";
    case "boolean":
      return variant === 0 ? "true" : "false";
  }
}

/** The expression that reads the field from the submitted `data` (a FormData) in the page. */
export function toFormReader(field: FeatureField): string {
  const raw = `data.get("${field.name}")`;
  switch (field.type) {
    case "string":
      return field.optional ? `String(${raw} ?? "").trim() || null` : `String(${raw} ?? "")`;
    case "int":
    case "float":
      return field.optional ? `${raw} ? Number(${raw}) : null` : `Number(${raw})`;
    case "boolean":
      return `${raw} === "on"`;
  }
}
