/**
 * Worker threads of a consumer application (the poll-and-hand-off pattern): poll() returns records, the
 * poller queues them for `n` workers and polls again, and each worker processes its records one after
 * the other. The consumer's position, and so auto-commit, counts records as consumed when poll()
 * returns them, not when a worker has finished them: a crash loses the queued ones (at-most-once).
 */
import type { Kernel } from '../../kernel/kernel.js';

/** A run of records of one batch, handed to one worker. */
export interface Task {
  tp: string;
  offset: number;
  count: number;
  epoch: number;
  pid: number;
  seq: number;
  createUs: readonly number[];
  /** Index in createUs of the task's first record. */
  from: number;
}

/** Records per task: a worker takes at most this many at once. */
export const TASK_RECORDS = 10;

export class WorkerPool {
  private queue: Task[] = [];
  private head = 0;
  private idle: number;
  /** Records queued or being processed. */
  pending = 0;

  constructor(
    private readonly timer: (delayUs: number, fn: () => void) => void,
    private readonly kernel: Kernel,
    private readonly workers: number,
    private readonly perRecordUs: number,
    /** A worker finished a task. */
    private readonly done: (task: Task, nowUs: number) => void,
  ) {
    this.idle = workers;
  }

  /** The process restarted: queued and running work is gone. */
  reset(): void {
    this.queue = [];
    this.head = 0;
    this.idle = this.workers;
    this.pending = 0;
  }

  submit(task: Task): void {
    this.queue.push(task);
    this.pending += task.count;
    this.dispatch();
  }

  private dispatch(): void {
    while (this.idle > 0 && this.head < this.queue.length) {
      const task = this.queue[this.head++]!;
      this.idle--;
      this.timer(task.count * this.perRecordUs, () => {
        this.idle++;
        this.pending -= task.count;
        this.done(task, this.kernel.now);
        this.dispatch();
      });
    }
    if (this.head > 1024 && this.head * 2 > this.queue.length) {
      this.queue = this.queue.slice(this.head);
      this.head = 0;
    }
  }
}
