// Console output behind a coloured `[name]` prefix, so `pnpm dev` can interleave several sources.
import { styleText } from "node:util";

export type PrefixColor = "cyan" | "magenta" | "yellow" | "green" | "blue";

export interface PrefixedLog {
  info(text: string): void;
  error(text: string): void;
}

export function createPrefixedLog(name: string, color: PrefixColor): PrefixedLog {
  // styleText leaves the text plain when the stream is not a colour terminal (or NO_COLOR is set).
  const write = (stream: NodeJS.WriteStream, text: string) => {
    const prefix = styleText(color, `[${name}]`, { stream });
    for (const line of text.split("\n")) stream.write(`${prefix} ${line}\n`);
  };
  return {
    info: (text) => write(process.stdout, text),
    error: (text) => write(process.stderr, text),
  };
}
