/** A concurrency limit per connector (database): at most `max` steps at a time touch one database. */
export class Limiter {
  private active = 0;
  private readonly waiting: (() => void)[] = [];
  constructor(readonly max: number) {}
  async run<T>(fn: () => Promise<T>): Promise<T> {
    if (this.active >= this.max) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.waiting.shift()?.();
    }
  }
}

export class ConnectorLimits {
  private readonly limiters = new Map<string, Limiter>();
  constructor(
    private readonly defaultMax = 2,
    private readonly perConnector: Record<string, number> = {},
  ) {}
  run<T>(key: string, fn: () => Promise<T>): Promise<T> {
    let l = this.limiters.get(key);
    if (!l) {
      l = new Limiter(this.perConnector[key] ?? this.defaultMax);
      this.limiters.set(key, l);
    }
    return l.run(fn);
  }
}
