/** wheelwright's library entry point. The CLI is a thin shell over these exports. */
export { WheelwrightError, isWheelwrightError, ERROR_CODES } from "./errors.js";
export type { ErrorCode, ErrorLocation, WheelwrightErrorOptions } from "./errors.js";
export { Events, silentEvents } from "./events/emitter.js";
export type { WheelwrightEvent, Listener } from "./events/types.js";
