/**
 * Which of our numbers texts a customer. Norwegian numbers (+47) use "subnumbering" (seed step 3): every
 * concurrent session with the same customer gets its own sender from a pool, so the number a reply arrives on
 * identifies the session. Everyone else gets the default sender, and a new survey replaces the customer's
 * active session (it is ended as `superseded`), since replies could not tell two sessions apart.
 */
export interface SenderPolicy {
  defaultSender: string;
  /** Our numbers for subnumbering; empty turns subnumbering off. */
  subnumberPool: readonly string[];
  /** Country prefixes that use subnumbering (default +47). */
  subnumberCountryPrefixes?: readonly string[];
}

export interface ActiveSessionRef {
  id: string;
  senderNumber: string;
  startedAt: Date;
}

export interface SenderChoice {
  sender: string;
  /** Active sessions the new one replaces. */
  supersede: string[];
}

export function usesSubnumbering(customer: string, policy: SenderPolicy): boolean {
  const prefixes = policy.subnumberCountryPrefixes ?? ['+47'];
  return policy.subnumberPool.length > 0 && prefixes.some((p) => customer.startsWith(p));
}

export function chooseSender(customer: string, active: readonly ActiveSessionRef[], policy: SenderPolicy): SenderChoice {
  if (!usesSubnumbering(customer, policy)) {
    return { sender: policy.defaultSender, supersede: active.map((s) => s.id) };
  }
  const inUse = new Set(active.map((s) => s.senderNumber));
  const free = policy.subnumberPool.find((n) => !inUse.has(n));
  if (free) return { sender: free, supersede: [] };
  // Every number of the pool is busy with this customer: the oldest session gives up its number.
  const oldest = [...active].sort((a, b) => a.startedAt.getTime() - b.startedAt.getTime())[0]!;
  return { sender: oldest.senderNumber, supersede: [oldest.id] };
}
