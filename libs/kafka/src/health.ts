import type { Admin, Kafka } from 'kafkajs';

/** Answers "does the broker answer right now?", caching the answer briefly so probes stay cheap. */
export function createBrokerProbe(kafka: Kafka, cacheMs = 1000): { check(): Promise<boolean>; close(): Promise<void> } {
  let admin: Admin | undefined;
  let last = { at: 0, ok: false };
  let inFlight: Promise<boolean> | undefined;

  async function probe(): Promise<boolean> {
    try {
      admin ??= kafka.admin({ retry: { retries: 0 } });
      await admin.connect();
      await Promise.race([admin.describeCluster(), new Promise((_, reject) => setTimeout(() => reject(new Error('timeout')), 1500))]);
      return true;
    } catch {
      const a = admin;
      admin = undefined;
      await a?.disconnect().catch(() => undefined);
      return false;
    }
  }

  return {
    async check() {
      if (Date.now() - last.at < cacheMs) return last.ok;
      inFlight ??= probe().then((ok) => {
        last = { at: Date.now(), ok };
        inFlight = undefined;
        return ok;
      });
      return inFlight;
    },
    async close() {
      await admin?.disconnect().catch(() => undefined);
    },
  };
}
