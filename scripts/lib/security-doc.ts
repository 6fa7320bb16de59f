// Checks docs/security.md: every row of its requirement tables names a test that exists (the file,
// each `describe` around the test in order, and the test), or says why it does not apply. Test files
// are read, not run: a small scanner finds describe/it/test calls and how they nest.

/** One row of a requirement table: `| id | requirement | how latchkey meets it | proof |`. */
export interface RequirementRow {
  id: string;
  requirement: string;
  how: string;
  proof: string;
  /** 1-based line in the document, for messages. */
  line: number;
}

export interface TestReference {
  file: string;
  describes: string[];
  name: string;
}

export interface DeclaredTest {
  describes: string[];
  name: string;
}

const TABLE_HEADER = ["id", "requirement", "how latchkey meets it", "proof"];
/** A proof that a requirement does not apply; the "how" cell says why. */
export const NOT_APPLICABLE = "Not applicable";
const REFERENCE_SEPARATOR = " › ";

function splitTableRow(line: string): string[] {
  // Cells are separated by unescaped pipes; `\|` stays inside a cell.
  return line
    .trim()
    .replace(/^\||\|$/g, "")
    .split(/(?<!\\)\|/)
    .map((cell) => cell.trim().replace(/\\\|/g, "|"));
}

/** The rows of every table whose header is TABLE_HEADER, in document order. */
export function parseRequirementRows(markdown: string): RequirementRow[] {
  const rows: RequirementRow[] = [];
  const lines = markdown.split("\n");
  let inTable = false;
  lines.forEach((line, index) => {
    if (!line.trim().startsWith("|")) {
      inTable = false;
      return;
    }
    const cells = splitTableRow(line);
    if (!inTable) {
      inTable = cells.length === TABLE_HEADER.length && cells.every((cell, i) => cell.toLowerCase() === TABLE_HEADER[i]);
      return;
    }
    if (cells.every((cell) => /^:?-+:?$/.test(cell))) return;
    const [id = "", requirement = "", how = "", proof = ""] = cells;
    rows.push({ id, requirement, how, proof, line: index + 1 });
  });
  return rows;
}

/** `` `path › describe › … › test` `` in a proof cell, or null. */
export function parseTestReference(proof: string): TestReference | null {
  const match = /^`([^`]+)`$/.exec(proof.trim());
  if (!match) return null;
  const parts = match[1]!.split(REFERENCE_SEPARATOR).map((part) => part.trim());
  if (parts.length < 2 || !/\.test\.tsx?$/.test(parts[0]!)) return null;
  return { file: parts[0]!, describes: parts.slice(1, -1), name: parts.at(-1)! };
}

// --- Reading test files -----------------------------------------------------------------------

const TEST_CALL = /^(describe|it|test)(?:\.(?:only|skip|concurrent|sequential|fails))*$/;
// A `/` after one of these (or at the start) begins a regular expression literal, not a division.
const BEFORE_REGEX = new Set(["", "(", ",", "=", ":", "[", "!", "&", "|", "?", "{", "}", ";"]);

/** The index just past the string literal that starts at `start` (', " or `, with `${}` inside). */
function skipString(source: string, start: number): number {
  const quote = source[start];
  let i = start + 1;
  while (i < source.length) {
    const char = source[i];
    if (char === "\\") {
      i += 2;
    } else if (char === quote) {
      return i + 1;
    } else if (quote === "`" && char === "$" && source[i + 1] === "{") {
      i = skipBraces(source, i + 1);
    } else {
      i++;
    }
  }
  return i;
}

/** The index just past the `}` matching the `{` at `start`, skipping strings inside. */
function skipBraces(source: string, start: number): number {
  let depth = 0;
  let i = start;
  while (i < source.length) {
    const char = source[i]!;
    if (char === '"' || char === "'" || char === "`") {
      i = skipString(source, i);
      continue;
    }
    if (char === "{") depth++;
    if (char === "}" && --depth === 0) return i + 1;
    i++;
  }
  return i;
}

function skipRegex(source: string, start: number): number {
  let i = start + 1;
  let inClass = false;
  while (i < source.length && source[i] !== "\n") {
    const char = source[i];
    if (char === "\\") i++;
    else if (char === "[") inClass = true;
    else if (char === "]") inClass = false;
    else if (char === "/" && !inClass) return i + 1;
    i++;
  }
  return i;
}

/** The value of a string literal without interpolation, or null. */
function readStringLiteral(source: string, start: number): string | null {
  const quote = source[start];
  if (quote !== '"' && quote !== "'" && quote !== "`") return null;
  const raw = source.slice(start + 1, skipString(source, start) - 1);
  if (quote === "`") return raw.includes("${") ? null : raw;
  const asDoubleQuoted = quote === "'" ? raw.replace(/\\'/g, "'").replace(/"/g, '\\"') : raw;
  try {
    return JSON.parse(`"${asDoubleQuoted}"`) as string;
  } catch {
    return null;
  }
}

/** The tests a file declares with a literal name, each with the describe names around it. */
export function listDeclaredTests(source: string): DeclaredTest[] {
  const tests: DeclaredTest[] = [];
  // Calls whose parentheses are open: a describe (with its name) or anything else (null).
  const open: { describe: string | null; depth: number }[] = [];
  let pending: { kind: string; name: string } | null = null;
  let depth = 0;
  let previous = "";
  let i = 0;
  while (i < source.length) {
    const char = source[i]!;
    if (char === "/" && source[i + 1] === "/") {
      const end = source.indexOf("\n", i);
      i = end === -1 ? source.length : end;
      continue;
    }
    if (char === "/" && source[i + 1] === "*") {
      const end = source.indexOf("*/", i + 2);
      i = end === -1 ? source.length : end + 2;
      continue;
    }
    if (char === '"' || char === "'" || char === "`") {
      i = skipString(source, i);
      previous = "string";
      continue;
    }
    if (char === "/" && BEFORE_REGEX.has(previous)) {
      i = skipRegex(source, i);
      previous = "regex";
      continue;
    }
    const word = /^[A-Za-z_$][\w$]*(?:\.[A-Za-z_$][\w$]*)*/.exec(source.slice(i, i + 120))?.[0];
    if (word) {
      const call = TEST_CALL.exec(word);
      if (call) {
        const after = source.slice(i + word.length).match(/^\s*\(\s*/);
        const name = after ? readStringLiteral(source, i + word.length + after[0].length) : null;
        pending = name === null ? null : { kind: call[1]!, name };
      }
      i += word.length;
      previous = "word";
      continue;
    }
    if (char === "(") {
      depth++;
      if (pending) {
        const describes = open.flatMap((entry) => (entry.describe === null ? [] : [entry.describe]));
        if (pending.kind !== "describe") tests.push({ describes, name: pending.name });
        open.push({ describe: pending.kind === "describe" ? pending.name : null, depth });
        pending = null;
      }
    } else if (char === ")") {
      depth--;
      while (open.length > 0 && open.at(-1)!.depth > depth) open.pop();
    }
    if (!/\s/.test(char)) previous = char;
    i++;
  }
  return tests;
}

/** What is wrong with a row (nothing for a row that holds); `readFile` gives null for a missing file. */
export function checkRequirementRow(row: RequirementRow, readFile: (file: string) => string | null): string[] {
  const where = `${row.id} (line ${row.line})`;
  if (!row.id || !row.requirement) return [`${where}: id and requirement must not be empty`];
  if (/TODO/.test(row.proof) || /TODO/.test(row.how)) return [`${where}: still TODO`];
  if (row.proof.startsWith(NOT_APPLICABLE)) {
    return row.how.trim() ? [] : [`${where}: a requirement that does not apply needs the reason in "how"`];
  }
  const reference = parseTestReference(row.proof);
  if (!reference) return [`${where}: proof must be \`file.test.ts › describe › test\` or "${NOT_APPLICABLE}"`];
  const source = readFile(reference.file);
  if (source === null) return [`${where}: ${reference.file} does not exist`];
  const declared = listDeclaredTests(source);
  const found = declared.some(
    (test) => test.name === reference.name && test.describes.join(REFERENCE_SEPARATOR) === reference.describes.join(REFERENCE_SEPARATOR),
  );
  if (found) return [];
  const sameName = declared.filter((test) => test.name === reference.name);
  if (sameName.length === 0) return [`${where}: ${reference.file} has no test named "${reference.name}"`];
  const actual = sameName.map((test) => [...test.describes, test.name].join(REFERENCE_SEPARATOR)).join('", "');
  return [`${where}: "${reference.name}" is not inside ${reference.describes.join(REFERENCE_SEPARATOR) || "no describe"} (found "${actual}")`];
}
