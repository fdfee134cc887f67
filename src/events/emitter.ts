import type { Listener, WheelwrightEvent } from "./types.js";

/**
 * A synchronous fan-out of events to listeners. Library functions take an `Events` in their
 * options; the default one drops everything, so library use stays silent.
 */
export class Events {
  private readonly listeners = new Set<Listener>();

  on(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit(event: WheelwrightEvent): void {
    for (const listener of this.listeners) listener(event);
  }
}

/** An event channel nobody listens to. */
export function silentEvents(): Events {
  return new Events();
}
