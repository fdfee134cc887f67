/**
 * HTTP(S) GETs with Node's built-in fetch: retries on transient failures, an idle timeout,
 * and bodies streamed to the consumer. Node's global fetch dispatcher already pools
 * keep-alive connections per origin, so many small downloads from one index reuse sockets.
 */
import { WheelwrightError } from "../errors.js";
import { SizeMismatchError, writeHashed, type Written } from "./verify.js";
import { TransientError, parseRetryAfter, withRetries, type RetryPolicy } from "./retry.js";

export interface HttpContext {
  retry: RetryPolicy;
  /** Abandon (and retry) a request when no bytes arrive for this long. */
  idleTimeoutMs: number;
  /** Told before each retry wait (for debug events). */
  onRetry?: (url: string, reason: string, attempt: number, delayMs: number) => void;
}

const USER_AGENT = "wheelwright/0.1 (+node fetch)";

/** Statuses that say "try again later" rather than "no". */
const TRANSIENT_STATUSES = new Set([408, 425, 429, 500, 502, 503, 504]);

/** Socket-level error codes (Node and undici) that a later attempt may not meet. */
const TRANSIENT_CODES = new Set([
  "ECONNRESET",
  "ECONNREFUSED",
  "ECONNABORTED",
  "EPIPE",
  "ETIMEDOUT",
  "EAI_AGAIN",
  "EHOSTUNREACH",
  "ENETUNREACH",
  "ENETDOWN",
  "UND_ERR_SOCKET",
  "UND_ERR_CLOSED",
  "UND_ERR_CONNECT_TIMEOUT",
  "UND_ERR_HEADERS_TIMEOUT",
  "UND_ERR_BODY_TIMEOUT",
]);

/** Marks an error raised while reading a response body (as opposed to writing it to disk). */
class BodyReadError extends Error {
  constructor(readonly original: unknown) {
    super(original instanceof Error ? original.message : String(original), { cause: original });
  }
}

export interface GetRequest {
  accept?: string;
  /** Ask for the bytes as stored (no Content-Encoding), so a `.tar.gz` is not gunzipped in transit. */
  identity?: boolean;
  /** Return this instead of failing when the server answers 404 or 410. */
  notFound?: () => unknown;
}

/** A response handed to a consumer: status already checked, body wrapped for the idle timer. */
export interface OpenResponse {
  response: Response;
  body: AsyncIterable<Uint8Array>;
}

/**
 * GET `url` and hand the response to `consume`, all inside the retry loop so a body that
 * breaks mid-way is fetched again from the start. Permanent failures are WheelwrightErrors
 * (ERR_WW_FETCH) naming the URL and status.
 */
export async function httpGet<T>(url: string, ctx: HttpContext, request: GetRequest, consume: (open: OpenResponse) => Promise<T>): Promise<T> {
  let attempts = 0;
  try {
    const onRetry = ctx.onRetry;
    const policy: RetryPolicy = onRetry === undefined ? ctx.retry : { ...ctx.retry, onRetry: (error, attempt, delayMs) => onRetry(url, error.message, attempt, delayMs) };
    return await withRetries(async () => {
      attempts++;
      return await attemptGet(url, ctx, request, consume);
    }, policy);
  } catch (error) {
    if (error instanceof TransientError) {
      throw new WheelwrightError("ERR_WW_FETCH", `cannot fetch ${url}: ${error.message} (gave up after ${attempts} attempt${attempts === 1 ? "" : "s"})`, {
        cause: error.cause ?? error,
        hint: "The server or network kept failing. Retry later, raise the retry count, or use --find-links / a mirror with the file.",
        details: { url, attempts },
      });
    }
    throw error;
  }
}

async function attemptGet<T>(url: string, ctx: HttpContext, request: GetRequest, consume: (open: OpenResponse) => Promise<T>): Promise<T> {
  const controller = new AbortController();
  const userSignal = ctx.retry.signal;
  const signal = userSignal === undefined ? controller.signal : AbortSignal.any([controller.signal, userSignal]);
  let timedOut = false;
  let timer: NodeJS.Timeout | undefined;
  const touch = (): void => {
    if (timer !== undefined) clearTimeout(timer);
    timer = setTimeout(() => {
      timedOut = true;
      controller.abort(new Error(`no data for ${ctx.idleTimeoutMs} ms`));
    }, ctx.idleTimeoutMs);
  };
  const headers: Record<string, string> = { "user-agent": USER_AGENT };
  if (request.accept !== undefined) headers.accept = request.accept;
  if (request.identity === true) headers["accept-encoding"] = "identity";

  touch();
  try {
    let response: Response;
    try {
      response = await fetch(url, { headers, signal, redirect: "follow" });
    } catch (error) {
      throw classify(error, url, timedOut, ctx);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      const status = response.status;
      if ((status === 404 || status === 410) && request.notFound !== undefined) return request.notFound() as T;
      if (TRANSIENT_STATUSES.has(status) || status >= 500) {
        throw new TransientError(`HTTP ${status} ${response.statusText}`.trim(), parseRetryAfter(response.headers.get("retry-after")));
      }
      throw statusError(url, response);
    }
    const body = watchBody(response, touch);
    try {
      return await consume({ response, body });
    } catch (error) {
      if (error instanceof BodyReadError) throw classify(error.original, url, timedOut, ctx);
      throw error;
    }
  } finally {
    if (timer !== undefined) clearTimeout(timer);
  }
}

/** The response body as chunks, re-arming the idle timer on each and tagging read errors. */
async function* watchBody(response: Response, touch: () => void): AsyncGenerator<Uint8Array> {
  if (response.body === null) return;
  const reader = response.body.getReader();
  try {
    for (;;) {
      let result: Awaited<ReturnType<typeof reader.read>>;
      try {
        result = await reader.read();
      } catch (error) {
        throw new BodyReadError(error);
      }
      if (result.done) return;
      touch();
      yield result.value;
    }
  } finally {
    // Stopping early (size mismatch, disk error) must release the connection.
    reader.cancel().catch(() => undefined);
  }
}

function errorCodes(error: unknown): string[] {
  const codes: string[] = [];
  for (let e: unknown = error, depth = 0; e !== null && e !== undefined && depth < 5; depth++) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string") codes.push(code);
    e = (e as { cause?: unknown }).cause;
  }
  return codes;
}

/** Decide whether a network-level error is worth retrying; returns the error to throw. */
function classify(error: unknown, url: string, timedOut: boolean, ctx: HttpContext): Error {
  const userSignal = ctx.retry.signal;
  if (userSignal?.aborted === true) return userSignal.reason instanceof Error ? userSignal.reason : new Error(String(userSignal.reason));
  if (timedOut) return new TransientError(`no data for ${ctx.idleTimeoutMs} ms`, undefined, { cause: error });
  if (error instanceof WheelwrightError || error instanceof SizeMismatchError) return error;
  const codes = errorCodes(error);
  const message = describe(error);
  // undici reports a connection dropped mid-body as TypeError("terminated").
  if (codes.some((code) => TRANSIENT_CODES.has(code)) || (error instanceof Error && error.message === "terminated")) {
    return new TransientError(message, undefined, { cause: error });
  }
  return new WheelwrightError("ERR_WW_FETCH", `cannot fetch ${url}: ${message}`, {
    cause: error,
    hint: "Check the URL and that the host is reachable.",
    details: { url },
  });
}

/** The innermost useful message of an error chain ("fetch failed" alone says nothing). */
function describe(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error, depth = 0; e !== null && e !== undefined && depth < 5; depth++) {
    const message = e instanceof Error ? e.message : String(e);
    const code = (e as { code?: unknown }).code;
    if (message !== "" && message !== "fetch failed") parts.push(typeof code === "string" && !message.includes(code) ? `${message} (${code})` : message);
    e = (e as { cause?: unknown }).cause;
  }
  return parts.length === 0 ? "fetch failed" : parts.join(": ");
}

function statusError(url: string, response: Response): WheelwrightError {
  const status = response.status;
  const hint =
    status === 401 || status === 403
      ? "The server refused access: the file may need credentials, or the URL is wrong."
      : status === 404 || status === 410
        ? "The file is not (or no longer) at this URL. Check the lock file, or provide the file with --find-links or a mirror."
        : "The server rejected the request; retrying will not help.";
  const finalUrl = response.url !== "" && response.url !== url ? ` (redirected to ${response.url})` : "";
  const statusText = response.statusText === "" ? "" : ` ${response.statusText}`;
  return new WheelwrightError("ERR_WW_FETCH", `HTTP ${status}${statusText} for ${url}${finalUrl}`, {
    hint,
    details: { url, status },
  });
}

/** The byte length the server announced, when it describes the file itself (no encoding). */
function announcedLength(response: Response): number | undefined {
  const encoding = response.headers.get("content-encoding");
  if (encoding !== null && encoding.toLowerCase() !== "identity") return undefined;
  const header = response.headers.get("content-length");
  if (header === null || !/^\d+$/.test(header.trim())) return undefined;
  return Number(header);
}

export interface DownloadExpectation {
  size?: number | undefined;
  onBytes?: ((bytes: number) => void) | undefined;
  /** Called when a retry starts the transfer over. */
  onRestart?: (() => void) | undefined;
}

/** Stream `url` into `target` (truncated on each attempt), hashing on the way. */
export async function downloadToFile(url: string, target: string, ctx: HttpContext, expect: DownloadExpectation = {}): Promise<Written> {
  let attempt = 0;
  return httpGet(url, ctx, { identity: true }, async ({ response, body }) => {
    if (attempt++ > 0) expect.onRestart?.();
    const announced = announcedLength(response);
    if (expect.size !== undefined && announced !== undefined && announced !== expect.size) {
      await response.body?.cancel().catch(() => undefined);
      throw new SizeMismatchError(`size ${announced} bytes (Content-Length), expected ${expect.size} bytes`);
    }
    return writeHashed(body, target, expect.onBytes, expect.size);
  });
}

export interface TextResponse {
  text: string;
  contentType: string;
  /** The URL after redirects: relative links resolve against it. */
  url: string;
}

/** GET a small text document (an index page); undefined on 404/410. */
export async function fetchText(url: string, ctx: HttpContext, accept: string): Promise<TextResponse | undefined> {
  return httpGet<TextResponse | undefined>(url, ctx, { accept, notFound: () => undefined }, async ({ response, body }) => {
    const chunks: Uint8Array[] = [];
    for await (const chunk of body) chunks.push(chunk);
    return {
      text: Buffer.concat(chunks).toString("utf8"),
      contentType: response.headers.get("content-type") ?? "",
      url: response.url === "" ? url : response.url,
    };
  });
}
