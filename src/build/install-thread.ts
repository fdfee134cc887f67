/**
 * The worker-thread side of `install-threads.ts`: installs a wheel and seals the output
 * (normalise + NAR hash) in this thread, with the bytes it wrote at hand. Bytecode is compiled
 * by this thread's own compile worker (one: the threads together run one per core), so the
 * pycs come straight here; events go back to the main thread as messages.
 */
import { parentPort } from "node:worker_threads";
import { errorToWire } from "../errors.js";
import { Events } from "../events/emitter.js";
import { limitCompileWorkers } from "../install/bytecode.js";
import { installAndSeal, type FromThread, type ToThread } from "./install-threads.js";

const port = parentPort;
if (port === null) throw new Error("install-thread.js runs only as a worker thread");
limitCompileWorkers(1);
const post = (message: FromThread) => port.postMessage(message);

port.on("message", ({ id, wheelPath, outDir, options, fsync }: ToThread) => {
  const events = new Events();
  events.on((event) => post({ type: "event", id, event }));
  void (async () => {
    try {
      post({ type: "done", id, ...(await installAndSeal(wheelPath, outDir, options, fsync, events)) });
    } catch (error) {
      post({ type: "failed", id, error: errorToWire(error) });
    }
  })();
});
