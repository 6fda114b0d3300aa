import { setMaxListeners } from 'node:events';
import { OffsetTracker } from './offset-tracker.js';

/** One partition as a concurrent handler sees it, for as long as this replica holds it in one group generation. */
export interface PartitionContext {
  readonly topic: string;
  readonly partition: number;
  /**
   * Aborted when this replica may no longer start work for the partition: the group rebalances, the
   * partition was taken over (fenced), or the consumer stops. Work already started may finish; work not
   * started must be given up (its message stays uncommitted and is redelivered to whoever holds it next).
   */
  readonly signal: AbortSignal;
}

export interface TopicPartition {
  topic: string;
  partition: number;
}

interface PartitionState {
  context: PartitionContext;
  tracker: OffsetTracker;
  /** The commit point last committed (or the start), to commit only what moved. */
  committed: number | undefined;
  lost: boolean;
  abort: () => void;
}

/**
 * What one replica holds between two rebalances of its consumer group: the partitions assigned to it, the
 * offsets accepted and not finished in each, and which partitions it paused for back-pressure. A new group
 * generation starts from scratch (kafkajs fetches again from the committed offsets), so nothing of an earlier
 * assignment can be committed or started under a later one.
 *
 * Back-pressure: while more than `maxBuffered` messages are accepted and unfinished, the fullest partition not
 * yet paused is paused after each batch; once the total falls below 80 % of it, every paused partition
 * resumes. A partition holding little is thus paused last: one sender's backlog never stops the others' partitions
 * before its own. The memory bound is `maxBuffered` plus one fetched batch per partition.
 */
export class Generation {
  private readonly partitions = new Map<string, PartitionState>();
  private readonly controller = new AbortController();
  private readonly pausedByUs = new Map<string, TopicPartition>();
  private buffered = 0;

  constructor(
    readonly assignment: readonly TopicPartition[],
    private readonly options: { maxBuffered: number; parentSignal: AbortSignal },
  ) {
    const abort = () => this.controller.abort();
    if (options.parentSignal.aborted) abort();
    else options.parentSignal.addEventListener('abort', abort, { once: true });
    this.controller.signal.addEventListener('abort', () => options.parentSignal.removeEventListener('abort', abort), { once: true });
    for (const tp of assignment) this.stateOf(tp.topic, tp.partition);
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** Ends the generation: no partition of it starts new work. */
  end(): void {
    this.controller.abort();
  }

  private stateOf(topic: string, partition: number): PartitionState {
    const key = `${topic}|${partition}`;
    let state = this.partitions.get(key);
    if (!state) {
      const controller = new AbortController();
      // Every sender of the partition waiting for its window listens to it (thousands of them).
      setMaxListeners(0, controller.signal);
      this.controller.signal.addEventListener('abort', () => controller.abort(), { once: true });
      if (this.controller.signal.aborted) controller.abort();
      state = { context: { topic, partition, signal: controller.signal }, tracker: new OffsetTracker(), committed: undefined, lost: false, abort: () => controller.abort() };
      this.partitions.set(key, state);
    }
    return state;
  }

  context(topic: string, partition: number): PartitionContext {
    return this.stateOf(topic, partition).context;
  }

  /** Registers a fetched message; false if it was accepted before in this generation or the partition is lost. */
  accept(topic: string, partition: number, offset: number): boolean {
    const state = this.stateOf(topic, partition);
    if (state.lost || this.controller.signal.aborted) return false;
    if (!state.tracker.accept(offset)) return false;
    this.buffered += 1;
    return true;
  }

  finish(topic: string, partition: number, offset: number): void {
    const state = this.partitions.get(`${topic}|${partition}`);
    if (!state) return;
    const before = state.tracker.inFlight;
    state.tracker.finish(offset);
    this.buffered -= before - state.tracker.inFlight;
  }

  /** Another replica fenced this one out of the partition: nothing more of it is started or committed. */
  lose(topic: string, partition: number): void {
    const state = this.partitions.get(`${topic}|${partition}`);
    if (!state || state.lost) return;
    state.lost = true;
    state.abort();
  }

  isLost(topic: string, partition: number): boolean {
    return this.partitions.get(`${topic}|${partition}`)?.lost ?? false;
  }

  /** Offsets that moved since the last call, to commit (never for a lost partition). */
  commitsDue(): { topic: string; partition: number; offset: string }[] {
    const due: { topic: string; partition: number; offset: string }[] = [];
    for (const state of this.partitions.values()) {
      const point = state.tracker.commitPoint;
      if (state.lost || point === undefined || point === state.committed) continue;
      due.push({ topic: state.context.topic, partition: state.context.partition, offset: String(point) });
    }
    return due;
  }

  /** The commits of `commitsDue` were written. */
  committed(commits: readonly { topic: string; partition: number; offset: string }[]): void {
    for (const c of commits) {
      const state = this.partitions.get(`${c.topic}|${c.partition}`);
      if (state) state.committed = Number(c.offset);
    }
  }

  get inFlight(): number {
    return this.buffered;
  }

  /** The partition to pause now for back-pressure, if any (call after each accepted batch). */
  toPause(): TopicPartition | undefined {
    if (this.buffered <= this.options.maxBuffered) return undefined;
    let fullest: PartitionState | undefined;
    for (const [key, state] of this.partitions) {
      if (this.pausedByUs.has(key) || state.tracker.inFlight === 0) continue;
      if (!fullest || state.tracker.inFlight > fullest.tracker.inFlight) fullest = state;
    }
    if (!fullest) return undefined;
    const tp = { topic: fullest.context.topic, partition: fullest.context.partition };
    this.pausedByUs.set(`${tp.topic}|${tp.partition}`, tp);
    return tp;
  }

  /** The partitions to resume now (call after messages finish). */
  toResume(): TopicPartition[] {
    if (this.pausedByUs.size === 0 || this.buffered >= this.options.maxBuffered * 0.8) return [];
    const resumed = [...this.pausedByUs.values()].filter((tp) => !this.isLost(tp.topic, tp.partition));
    this.pausedByUs.clear();
    return resumed;
  }

  /** Partitions paused by this generation (for the next one to resume). */
  paused(): TopicPartition[] {
    return [...this.pausedByUs.values()];
  }
}
