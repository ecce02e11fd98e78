/**
 * When a kept leaf certificate is renewed (Consul's agent/leafcert/util.go calculateSoftExpiry,
 * drawn in generate.go attemptLeafRefresh): a random point between 60% and 90% of its lifetime,
 * from now when now is already past 60%, at once past 90% or for a lifetime under 10 minutes.
 * Consul draws this point anew at every fetch of the certificate (each blocking round of the
 * leaf manager), not once per certificate: a round that finds itself inside the window draws
 * from now, so renewals spread over the window and never pass its 90% end.
 */

/** calculateSoftExpiry's guard against strange times: shorter lives renew at once. */
const LIFETIME_MIN_MS = 10 * 60_000;
const SOFT_RENEW_AT = 0.6;
const HARD_RENEW_AT = 0.9;

/** The window [minMs, maxMs] the renewal point is drawn from, for a certificate valid from `validAfterMs` to `validBeforeMs`. */
export function softExpiryWindow(nowMs: number, validAfterMs: number, validBeforeMs: number): { minMs: number; maxMs: number } {
  const lifeMs = validBeforeMs - validAfterMs;
  if (!(lifeMs >= LIFETIME_MIN_MS)) return { minMs: nowMs, maxMs: nowMs };
  const softMs = validAfterMs + lifeMs * SOFT_RENEW_AT;
  const hardMs = validAfterMs + lifeMs * HARD_RENEW_AT;
  if (nowMs > hardMs) return { minMs: nowMs, maxMs: nowMs };
  return { minMs: Math.max(softMs, nowMs), maxMs: hardMs };
}

/** One draw of the renewal point (lib.RandomStagger over the window: uniform in [min, max)). */
export function drawSoftExpiryMs(nowMs: number, cert: { ValidAfter: string; ValidBefore: string }, random: () => number = Math.random): number {
  const { minMs, maxMs } = softExpiryWindow(nowMs, Date.parse(cert.ValidAfter), Date.parse(cert.ValidBefore));
  return minMs + random() * (maxMs - minMs);
}
