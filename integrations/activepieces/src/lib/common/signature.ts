/* Standard Webhooks 1.0 verification: `webhook-signature` holds `v1,<base64 HMAC-SHA256>` of
   `{webhook-id}.{webhook-timestamp}.{raw body}` keyed with the secret's decoded bytes (several
   signatures, space-separated, while a rotated secret is still signing). */
import { createHmac, timingSafeEqual } from 'node:crypto';

export const TOLERANCE_SECONDS = 5 * 60;

function header(headers: Record<string, unknown> | undefined, name: string): string | null {
  if (!headers) return null;
  for (const [key, value] of Object.entries(headers)) {
    if (key.toLowerCase() === name) {
      return Array.isArray(value) ? String(value[0]) : value == null ? null : String(value);
    }
  }
  return null;
}

export type SignedMessage = { id: string; timestamp: number };

/** The message id and time when the signature is genuine and recent, else null. */
export function verifySignature(
  secret: string,
  headers: Record<string, unknown> | undefined,
  rawBody: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): SignedMessage | null {
  const id = header(headers, 'webhook-id');
  const stamp = header(headers, 'webhook-timestamp');
  const signatures = header(headers, 'webhook-signature');
  if (!id || !stamp || !signatures || !/^\d+$/.test(stamp) || !secret) return null;
  const timestamp = Number(stamp);
  if (Math.abs(nowSeconds - timestamp) > TOLERANCE_SECONDS) return null;
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const expected = createHmac('sha256', key).update(`${id}.${stamp}.`).update(rawBody, 'utf8').digest();
  for (const entry of signatures.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) {
      return { id, timestamp };
    }
  }
  return null;
}

/** Signs like the API does (tests and tools). */
export function sign(secret: string, id: string, timestamp: number, rawBody: string): Record<string, string> {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const digest = createHmac('sha256', key).update(`${id}.${timestamp}.`).update(rawBody, 'utf8').digest('base64');
  return { 'webhook-id': id, 'webhook-timestamp': String(timestamp), 'webhook-signature': `v1,${digest}` };
}

export function rawBodyOf(payload: { rawBody?: unknown; body?: unknown }): string | null {
  const raw = payload.rawBody;
  if (typeof raw === 'string') return raw;
  if (raw instanceof Uint8Array) return Buffer.from(raw).toString('utf8');
  // Without the raw body only a re-serialisation is left; the API sends compact JSON, so this
  // matches for ASCII payloads.
  if (payload.body && typeof payload.body === 'object') return JSON.stringify(payload.body);
  if (typeof payload.body === 'string') return payload.body;
  return null;
}
