// Backoff arithmetic, Retry-After parsing and the retry loop's rules.
import { describe, expect, it } from "vitest";
import { TransientError, backoffDelay, parseRetryAfter, withRetries } from "../../src/fetch/retry.js";

describe("backoffDelay", () => {
  const policy = { baseDelayMs: 100, maxDelayMs: 1_000 };

  it("grows exponentially with jitter between half and all of the step", () => {
    expect(backoffDelay(1, policy, undefined, () => 0)).toBe(50);
    expect(backoffDelay(1, policy, undefined, () => 1)).toBe(100);
    expect(backoffDelay(3, policy, undefined, () => 0)).toBe(200);
    expect(backoffDelay(3, policy, undefined, () => 1)).toBe(400);
  });

  it("never exceeds the cap, even when Retry-After asks for more", () => {
    expect(backoffDelay(10, policy, undefined, () => 1)).toBe(1_000);
    expect(backoffDelay(1, policy, 60_000, () => 0)).toBe(1_000);
  });

  it("waits at least the Retry-After below the cap", () => {
    expect(backoffDelay(1, policy, 700, () => 0)).toBe(700);
  });
});

describe("parseRetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    const now = Date.parse("Wed, 21 Oct 2015 07:28:00 GMT");
    expect(parseRetryAfter("120", now)).toBe(120_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:28:30 GMT", now)).toBe(30_000);
    expect(parseRetryAfter("Wed, 21 Oct 2015 07:27:00 GMT", now)).toBe(0);
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter(null, now)).toBeUndefined();
  });
});

describe("withRetries", () => {
  const policy = { retries: 3, baseDelayMs: 1, maxDelayMs: 2 };

  it("retries transient errors up to the limit, then rethrows the last", async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new TransientError(`boom ${calls}`);
      }, policy),
    ).rejects.toThrow("boom 4");
    expect(calls).toBe(4);
  });

  it("does not retry other errors", async () => {
    let calls = 0;
    await expect(
      withRetries(async () => {
        calls++;
        throw new Error("permanent");
      }, policy),
    ).rejects.toThrow("permanent");
    expect(calls).toBe(1);
  });

  it("returns the first success and reports each retry", async () => {
    const retries: number[] = [];
    let calls = 0;
    const value = await withRetries(
      async () => {
        if (++calls < 3) throw new TransientError("flaky");
        return "ok";
      },
      { ...policy, onRetry: (_error, attempt) => retries.push(attempt) },
    );
    expect(value).toBe("ok");
    expect(retries).toEqual([1, 2]);
  });

  it("stops waiting when aborted", async () => {
    const controller = new AbortController();
    const started = Date.now();
    setTimeout(() => controller.abort(new Error("cancelled")), 20);
    await expect(
      withRetries(async () => {
        throw new TransientError("down");
      }, { retries: 5, baseDelayMs: 10_000, maxDelayMs: 10_000, signal: controller.signal }),
    ).rejects.toThrow();
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});
