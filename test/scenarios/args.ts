import type { NodeId } from '../../cluster/raft/index.js';
import type { Arg, Directive } from './parse.js';

/** Typed access to a directive's arguments; complains about anything it does not know. */
export class Args {
  private readonly used = new Set<string>();

  constructor(
    private readonly d: Directive,
    private readonly where: string,
  ) {}

  fail(what: string): never {
    throw new Error(`${this.where}: ${this.d.cmd}: ${what}`);
  }

  /** Values of the arguments without a key, in order (a list counts as one). */
  positional(): Arg[] {
    this.used.add('');
    return this.d.args.filter((a) => a.key === undefined);
  }

  /** The keyless arguments as node ids, lists flattened. */
  ids(): NodeId[] {
    return this.positional().flatMap((a) => a.vals.map((v) => this.toInt(v)));
  }

  toInt(v: string): number {
    if (!/^\d+$/.test(v)) this.fail(`"${v}" is not a number`);
    return Number(v);
  }

  list(key: string): string[] | undefined {
    this.used.add(key);
    return this.d.args.find((a) => a.key === key)?.vals.slice();
  }

  str(key: string): string | undefined {
    const v = this.list(key);
    if (v && v.length !== 1) this.fail(`${key} takes one value`);
    return v?.[0];
  }

  int(key: string): number | undefined {
    const v = this.str(key);
    return v === undefined ? undefined : this.toInt(v);
  }

  bool(key: string): boolean | undefined {
    const v = this.str(key);
    if (v === undefined) return undefined;
    if (v !== 'true' && v !== 'false') this.fail(`${key} must be true or false`);
    return v === 'true';
  }

  /** Throws on a key argument nobody asked for (a typo would otherwise be ignored). */
  done(): void {
    for (const a of this.d.args) {
      const k = a.key ?? '';
      if (!this.used.has(k)) this.fail(k ? `unknown argument ${k}` : 'unexpected argument');
    }
  }
}
