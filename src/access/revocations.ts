/**
 * Tells whoever holds a credential open (an event stream) that it was just
 * revoked, so it can close at once instead of at its next request.
 */
export type RevocationListener = () => void;

export class Revocations {
  private readonly listeners = new Map<string, Set<RevocationListener>>();

  /** Calls `listener` once when `credentialId` is revoked. Returns the unsubscribe. */
  on(credentialId: string, listener: RevocationListener): () => void {
    let set = this.listeners.get(credentialId);
    if (!set) {
      set = new Set();
      this.listeners.set(credentialId, set);
    }
    set.add(listener);
    return () => {
      const s = this.listeners.get(credentialId);
      if (!s) return;
      s.delete(listener);
      if (s.size === 0) this.listeners.delete(credentialId);
    };
  }

  emit(credentialId: string): void {
    const set = this.listeners.get(credentialId);
    if (!set) return;
    this.listeners.delete(credentialId);
    for (const l of set) {
      try {
        l();
      } catch {
        // One broken listener must not keep the others open.
      }
    }
  }

  /** Open listeners (tests, health). */
  get size(): number {
    let n = 0;
    for (const s of this.listeners.values()) n += s.size;
    return n;
  }
}
