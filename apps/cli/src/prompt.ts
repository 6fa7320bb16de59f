// Asking for the email and password in a terminal. The question goes to stderr, so stdout stays
// clean for scripts; a hidden answer is not echoed.
import { createInterface } from "node:readline/promises";
import { Writable } from "node:stream";

export async function prompt(
  streams: { stdin: NodeJS.ReadableStream; stderr: NodeJS.WritableStream },
  question: string,
  options: { hidden?: boolean } = {},
): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, encoding, callback) {
      if (!muted) streams.stderr.write(chunk, encoding);
      callback();
    },
  });
  const readline = createInterface({ input: streams.stdin, output, terminal: true });
  try {
    // The question is written synchronously; everything after it (the typed answer) is muted.
    const answer = readline.question(question);
    muted = options.hidden ?? false;
    const value = await answer;
    if (muted) streams.stderr.write("\n");
    // Passwords keep their spaces; an email does not.
    return muted ? value : value.trim();
  } finally {
    readline.close();
  }
}
