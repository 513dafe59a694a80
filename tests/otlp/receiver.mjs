// Starts the OTLP receiver (receiver.py, which validates every body against the official
// protobuf schema) on a free port for a node test: `{ origin, close() }`.
import { spawn } from "node:child_process";
import path from "node:path";
import { fileURLToPath } from "node:url";

const script = path.join(path.dirname(fileURLToPath(import.meta.url)), "receiver.py");

export function startReceiver() {
  const child = spawn("python3", [script, "0"], { stdio: ["ignore", "pipe", "inherit"] });
  return new Promise((resolve, reject) => {
    let out = "";
    child.once("error", reject);
    child.once("exit", (code) => reject(new Error(`OTLP receiver exited with ${code} before listening`)));
    child.stdout.on("data", (chunk) => {
      out += chunk;
      const match = /http:\/\/127\.0\.0\.1:(\d+)\//.exec(out);
      if (!match) return;
      child.removeAllListeners("exit");
      resolve({
        origin: `http://127.0.0.1:${match[1]}`,
        close: () =>
          new Promise((done) => {
            child.once("exit", done);
            child.kill();
          }),
      });
    });
  });
}
