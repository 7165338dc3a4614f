/**
 * Credentials: `<id>.<secret>`. The id is public (it names the record in lists
 * and revocations); the secret is 256 bits from the CSPRNG and only its SHA-256
 * is ever stored. Checking looks the record up by id, then compares digests in
 * constant time, so timing tells nothing about the secret.
 */
import { createHash, timingSafeEqual } from "node:crypto";

const SECRET_BYTES = 32;
const ID_BYTES = 9;

function randomBase64url(bytes: number): string {
  const buf = new Uint8Array(bytes);
  crypto.getRandomValues(buf);
  return Buffer.from(buf).toString("base64url");
}

/** A fresh public id with a kind prefix: `inv_…`, `ses_…`, `tok_…`, `per_…`. */
export function newId(prefix: string): string {
  return `${prefix}_${randomBase64url(ID_BYTES)}`;
}

export function newSecret(): string {
  return randomBase64url(SECRET_BYTES);
}

/** SHA-256 of the secret, hex. */
export function hashSecret(secret: string): string {
  return createHash("sha256").update(secret, "utf8").digest("hex");
}

/** Constant-time equality of two hex digests (equal length by construction; unequal → false). */
export function sameDigest(a: string, b: string): boolean {
  const x = Buffer.from(a, "hex");
  const y = Buffer.from(b, "hex");
  if (x.length !== y.length || x.length === 0) return false;
  return timingSafeEqual(x, y);
}

/** Does `secret` hash to `storedHash`? Hashes first so the comparison is always digest vs digest. */
export function secretMatches(secret: string, storedHash: string): boolean {
  const presented = createHash("sha256").update(secret, "utf8").digest();
  const stored = Buffer.from(storedHash, "hex");
  return stored.length === presented.length && timingSafeEqual(presented, stored);
}

export interface Credential {
  id: string;
  secret: string;
}

const CREDENTIAL = /^([a-z]{3}_[A-Za-z0-9_-]{8,32})\.([A-Za-z0-9_-]{20,128})$/;

export function formatCredential(c: Credential): string {
  return `${c.id}.${c.secret}`;
}

/** Splits `<id>.<secret>`; null when the text cannot be one (no lookup needed). */
export function parseCredential(text: string | undefined | null): Credential | null {
  if (!text) return null;
  const m = CREDENTIAL.exec(text.trim());
  return m ? { id: m[1], secret: m[2] } : null;
}
