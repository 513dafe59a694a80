// A panic inside the history part (the wasm `Profiler.query()` loads on its first call)
// switches apiscope off as an engine panic does (lib/panic_case.js checks all of it): the
// query rejects with the one clear Error, never the trap, and nothing calls into either
// module again. A page of its own, so the engine test part is not trapped already.
import { assert, origins, test } from "./lib/harness.js";
import { PARTS, panicCase } from "./lib/panic_case.js";

test("a panic in the history part, in query(), switches apiscope off; the page keeps working", () =>
  panicCase({
    part: "lean",
    arm: async ({ profiler, counter }) => {
      await (await fetch(`${origins.test}/delay/0?stored`)).text();
      await profiler.flush();
      // The glue query() imports (the test build, by the import map), before its first load.
      const { History } = await import(PARTS.history.glue);
      History.prototype.summary = function summary() {
        counter.beforePanic = counter.calls++;
        this.testPanic();
      };
      await assert.rejects(
        profiler.query(),
        Error,
        /^Profiler\.query: apiscope switched itself off after an internal failure \(RuntimeError: panicked at .*apiscope test panic/s,
      );
    },
  }));
