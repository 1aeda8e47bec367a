/**
 * In-memory fakes of the two AWS clients intake and deliver use, for the intake and deliver
 * benchmarks: objects with a `send(command)` that dispatch on the command class, no servers, no
 * network, no SDK middleware. Cast them to the client types at the call site.
 *
 * - FakeDynamo stands for a lib-dynamodb DynamoDBDocumentClient over one table keyed by pk + sk:
 *   UpdateItem / PutItem / GetItem / Query / BatchWriteItem with the parts of the expression
 *   language the repository uses (SET with if_not_exists, ADD to a number or a set, REMOVE;
 *   conditions with AND / OR / NOT, parentheses, = < <= > >=, attribute_exists,
 *   attribute_not_exists). A failed condition throws the SDK's ConditionalCheckFailedException.
 *   Like DynamoDB it rejects unused expression names and values, empty sets, updates of key
 *   attributes and items over 400 KB; anything it does not implement throws instead of guessing.
 *   Optionally it accounts the writes of one global secondary index with ALL projection (`index`):
 *   `gsiWcu` apart from the table's `wcu`. `snapshot()` / `restore()` put the table back to a
 *   state (stored items are never mutated in place, so a snapshot shares them safely).
 * - FakeSqs stands for an SQSClient: SendMessageBatch (≤ 10 entries, distinct ids), SendMessage,
 *   ChangeMessageVisibility and ChangeMessageVisibilityBatch (≤ 10 entries); every entry succeeds.
 *
 * Both count what AWS would bill (see `DynamoStats`, `SqsStats`) and the wall time spent inside
 * their own `send` (synchronous code on the one thread, so about its CPU time), which the benchmark
 * reports apart from intake's.
 *
 * Capacity rules, approximating the DynamoDB developer guide ("Item sizes and formats",
 * "Capacity unit consumption"):
 * - item size = Σ over attributes of UTF-8 bytes of the name + size of the value; string = UTF-8
 *   bytes; number ≈ 1 byte per 2 significant digits + 1; binary = bytes; boolean / null = 1;
 *   list / map = 3 + Σ (1 + element) (a map's element counts its key's bytes too); set = Σ elements;
 * - a write consumes ceil(size / 1 KB) WCU of the larger of the item before and after it (min 1);
 *   a write whose condition fails consumes WCU too, by the size of the existing item (1 when there
 *   is none) — DynamoDB charges failed conditional writes; BatchWriteItem charges each item;
 * - GetItem consumes ceil(size / 4 KB) RCU when strongly consistent, half when eventually
 *   consistent, and the minimum (1 or ½) when the item does not exist; Query sums the sizes of the
 *   items it returns before rounding; ReturnValues costs no extra capacity;
 * - index writes (with `index`): a write that puts an item with both index key attributes into the
 *   index consumes ceil(size / 1 KB) on the index; one that keeps the index key, ceil of the larger
 *   size; one that changes the index key, a delete of the old entry plus a put of the new one;
 *   one that drops the key attributes, a delete (the index entry is the whole item: ALL projection).
 */
import { performance } from 'node:perf_hooks';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import {
  ChangeMessageVisibilityBatchCommand,
  ChangeMessageVisibilityCommand,
  SendMessageBatchCommand,
  SendMessageCommand,
  type MessageAttributeValue,
} from '@aws-sdk/client-sqs';
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, UpdateCommand } from '@aws-sdk/lib-dynamodb';

export type Item = Record<string, unknown>;
type Values = Record<string, unknown>;
type Names = Record<string, string>;

const KB = 1024;
const MAX_ITEM_BYTES = 400 * KB;
const BATCH_WRITE_LIMIT = 25;
const SQS_BATCH_LIMIT = 10;
/** SQS bills each 64 KiB chunk of a request's payload as one request. */
const SQS_BILLING_CHUNK = 64 * KB;

// ---------------------------------------------------------------- item sizes

const utf8 = (text: string): number => Buffer.byteLength(text, 'utf8');

/** Bytes of a number as DynamoDB stores it: about one byte per two significant digits, plus one. */
function numberSize(n: number): number {
  let digits: number;
  if (Number.isSafeInteger(n)) {
    let m = Math.abs(n);
    while (m !== 0 && m % 10 === 0) m /= 10;
    digits = m === 0 ? 1 : String(m).length;
  } else {
    digits = Math.abs(n)
      .toExponential()
      .replace(/e.*$/, '')
      .replace(/[.-]/g, '')
      .replace(/0+$/, '').length;
  }
  return Math.ceil(Math.max(1, digits) / 2) + 1;
}

export function valueSize(value: unknown): number {
  switch (typeof value) {
    case 'string':
      return utf8(value);
    case 'number':
      return numberSize(value);
    case 'boolean':
      return 1;
    case 'object': {
      if (value === null) return 1;
      if (value instanceof Uint8Array) return value.byteLength;
      if (value instanceof Set) {
        let n = 0;
        for (const element of value) n += valueSize(element);
        return n;
      }
      if (Array.isArray(value)) {
        let n = 3;
        for (const element of value) n += 1 + valueSize(element);
        return n;
      }
      let n = 3;
      const map = value as Item;
      for (const key in map) {
        const v = map[key];
        if (v !== undefined) n += 1 + utf8(key) + valueSize(v);
      }
      return n;
    }
    default:
      throw validation(`unsupported attribute value of type ${typeof value}`);
  }
}

/** An item's size in bytes: attribute names plus values. */
export function itemSize(item: Item | undefined): number {
  if (!item) return 0;
  let n = 0;
  for (const key in item) {
    const v = item[key];
    if (v !== undefined) n += utf8(key) + valueSize(v);
  }
  return n;
}

const writeUnits = (bytes: number): number => Math.max(1, Math.ceil(bytes / KB));

// ---------------------------------------------------------------- copies (the table never shares objects with its caller)

function copy<T>(value: T): T {
  if (value === null || typeof value !== 'object') return value;
  if (value instanceof Set) return new Set(value) as T;
  if (value instanceof Uint8Array) return Uint8Array.from(value) as T;
  if (Array.isArray(value)) return value.map(copy) as T;
  const out: Item = {};
  const item = value as Item;
  for (const key in item) {
    const v = item[key];
    if (v !== undefined) out[key] = copy(v);
  }
  return out as T;
}

// ---------------------------------------------------------------- errors

function named(name: string, message: string): Error {
  const err = new Error(message);
  err.name = name;
  return err;
}
const validation = (message: string): Error => named('ValidationException', message);
const unsupported = (what: string): Error => named('FakeUnsupported', `the fake does not implement ${what}`);

// ---------------------------------------------------------------- expressions

interface Token {
  kind: 'name' | 'value' | 'ident' | 'punct';
  text: string;
}

function tokenize(expression: string): Token[] {
  const tokens: Token[] = [];
  const re = /\s*(?:(#[A-Za-z0-9_]+)|(:[A-Za-z0-9_]+)|([A-Za-z_][A-Za-z0-9_]*)|(<=|>=|<>|[()=<>,+\-.[\]]))/y;
  let at = 0;
  while (at < expression.length) {
    if (/^\s*$/.test(expression.slice(at))) break;
    re.lastIndex = at;
    const m = re.exec(expression);
    if (!m) throw validation(`cannot parse expression at ${JSON.stringify(expression.slice(at))}`);
    at = re.lastIndex;
    if (m[1]) tokens.push({ kind: 'name', text: m[1] });
    else if (m[2]) tokens.push({ kind: 'value', text: m[2] });
    else if (m[3]) tokens.push({ kind: 'ident', text: m[3] });
    else tokens.push({ kind: 'punct', text: m[4]! });
  }
  return tokens;
}

/** What a compiled expression refers to, so unused names and values can be rejected like DynamoDB does. */
interface Refs {
  names: Set<string>;
  values: Set<string>;
}

class Parser {
  private i = 0;
  readonly refs: Refs = { names: new Set(), values: new Set() };
  constructor(
    private readonly tokens: Token[],
    private readonly expression: string,
  ) {}

  peek(): Token | undefined {
    return this.tokens[this.i];
  }
  done(): boolean {
    return this.i >= this.tokens.length;
  }
  next(): Token {
    const t = this.tokens[this.i++];
    if (!t) throw validation(`unexpected end of expression ${JSON.stringify(this.expression)}`);
    return t;
  }
  /** The next token is a name followed by '(': a function call. */
  peekIsCall(): boolean {
    return this.tokens[this.i + 1]?.text === '(';
  }
  isKeyword(word: string): boolean {
    const t = this.peek();
    return t?.kind === 'ident' && t.text.toUpperCase() === word;
  }
  expect(text: string): void {
    const t = this.next();
    if (t.text !== text) throw validation(`expected ${text}, found ${t.text} in ${JSON.stringify(this.expression)}`);
  }

  /** A top-level attribute path (#name or a bare name); nested paths are not implemented. */
  path(): (names: Names) => string {
    const t = this.next();
    if (this.peek()?.text === '.' || this.peek()?.text === '[') throw unsupported('nested document paths');
    if (t.kind === 'name') {
      this.refs.names.add(t.text);
      return (names) => {
        const resolved = names[t.text];
        if (resolved === undefined) throw validation(`expression attribute name ${t.text} is not defined`);
        return resolved;
      };
    }
    if (t.kind === 'ident') return () => t.text;
    throw validation(`expected an attribute path, found ${t.text}`);
  }

  /** A path or a :value, read against an item. */
  operand(): (item: Item | undefined, names: Names, values: Values) => unknown {
    const t = this.peek();
    if (t?.kind === 'value') {
      this.next();
      this.refs.values.add(t.text);
      return (_item, _names, values) => {
        if (!(t.text in values)) throw validation(`expression attribute value ${t.text} is not defined`);
        return values[t.text];
      };
    }
    const path = this.path();
    return (item, names) => item?.[path(names)];
  }
}

type Condition = (item: Item | undefined, names: Names, values: Values) => boolean;

function compare(op: string, a: unknown, b: unknown): boolean {
  // a missing attribute, or values of different types, compare false (as in DynamoDB)
  if (a === undefined || b === undefined) return false;
  if (!((typeof a === 'number' && typeof b === 'number') || (typeof a === 'string' && typeof b === 'string'))) {
    if (op === '=' && typeof a === 'boolean') return a === b;
    if (op === '=') return false;
    throw unsupported(`comparison ${op} of ${typeof a} and ${typeof b}`);
  }
  switch (op) {
    case '=':
      return a === b;
    case '<':
      return a < b;
    case '<=':
      return a <= b;
    case '>':
      return a > b;
    case '>=':
      return a >= b;
    default:
      throw unsupported(`comparator ${op}`);
  }
}

function parseCondition(p: Parser): Condition {
  const or = (): Condition => {
    const parts = [and()];
    while (p.isKeyword('OR')) {
      p.next();
      parts.push(and());
    }
    return parts.length === 1 ? parts[0]! : (item, n, v) => parts.some((c) => c(item, n, v));
  };
  const and = (): Condition => {
    const parts = [not()];
    while (p.isKeyword('AND')) {
      p.next();
      parts.push(not());
    }
    return parts.length === 1 ? parts[0]! : (item, n, v) => parts.every((c) => c(item, n, v));
  };
  const not = (): Condition => {
    if (p.isKeyword('NOT')) {
      p.next();
      const inner = not();
      return (item, n, v) => !inner(item, n, v);
    }
    return primary();
  };
  const primary = (): Condition => {
    if (p.peek()?.text === '(') {
      p.next();
      const inner = or();
      p.expect(')');
      return inner;
    }
    if (p.isKeyword('ATTRIBUTE_EXISTS') || p.isKeyword('ATTRIBUTE_NOT_EXISTS')) {
      const exists = p.next().text.toUpperCase() === 'ATTRIBUTE_EXISTS';
      p.expect('(');
      const path = p.path();
      p.expect(')');
      return (item, n) => (item?.[path(n)] !== undefined) === exists;
    }
    if (p.peek()?.kind === 'ident' && p.peekIsCall()) throw unsupported(`condition function ${p.peek()!.text}`);
    const left = p.operand();
    const op = p.next().text;
    if (!['=', '<', '<=', '>', '>='].includes(op)) throw unsupported(`comparator ${op}`);
    const right = p.operand();
    return (item, n, v) => compare(op, left(item, n, v), right(item, n, v));
  };
  const condition = or();
  if (!p.done()) throw validation(`unexpected ${p.peek()!.text} in condition`);
  return condition;
}

type UpdateAction = (before: Item | undefined, after: Item, names: Names, values: Values) => void;

function parseUpdate(p: Parser): UpdateAction[] {
  const actions: UpdateAction[] = [];
  while (!p.done()) {
    const clause = p.next().text.toUpperCase();
    do {
      if (clause === 'SET') {
        const path = p.path();
        p.expect('=');
        let value: (before: Item | undefined, names: Names, values: Values) => unknown;
        if (p.isKeyword('IF_NOT_EXISTS')) {
          p.next();
          p.expect('(');
          const existing = p.path();
          p.expect(',');
          const fallback = p.operand();
          p.expect(')');
          value = (before, n, v) => before?.[existing(n)] ?? fallback(before, n, v);
        } else {
          value = p.operand();
        }
        if (p.peek()?.text === '+' || p.peek()?.text === '-') throw unsupported('arithmetic in SET');
        // every value is read from the item as it was before the update
        actions.push((before, after, n, v) => {
          after[path(n)] = copy(value(before, n, v));
        });
      } else if (clause === 'ADD') {
        const path = p.path();
        const operand = p.operand();
        actions.push((before, after, n, v) => {
          const name = path(n);
          const add = operand(before, n, v);
          const current = before?.[name];
          if (add instanceof Set) {
            if (add.size === 0) throw validation('an empty set is not a valid attribute value');
            if (current !== undefined && !(current instanceof Set)) throw validation(`ADD of a set to ${name}, which is not a set`);
            after[name] = new Set([...((current as Set<unknown> | undefined) ?? []), ...add]);
          } else if (typeof add === 'number') {
            if (current !== undefined && typeof current !== 'number') throw validation(`ADD of a number to ${name}, which is not a number`);
            after[name] = ((current as number | undefined) ?? 0) + add;
          } else {
            throw validation('ADD takes a number or a set');
          }
        });
      } else if (clause === 'REMOVE') {
        const path = p.path();
        actions.push((_before, after, n) => {
          delete after[path(n)];
        });
      } else {
        throw unsupported(`update clause ${clause}`);
      }
    } while (p.peek()?.text === ',' && p.next());
  }
  return actions;
}

interface Compiled<T> {
  run: T;
  refs: Refs;
}
const conditionCache = new Map<string, Compiled<Condition>>();
const updateCache = new Map<string, Compiled<UpdateAction[]>>();

/** Expressions are compiled once per text: DynamoDB parses them server-side, not on the caller's CPU. */
function compiled<T>(cache: Map<string, Compiled<T>>, expression: string, parse: (p: Parser) => T): Compiled<T> {
  let c = cache.get(expression);
  if (!c) {
    const p = new Parser(tokenize(expression), expression);
    c = { run: parse(p), refs: p.refs };
    cache.set(expression, c);
  }
  return c;
}

/** DynamoDB rejects a request whose expression names or values include one no expression uses. */
function checkAllUsed(refs: readonly Refs[], names: Names | undefined, values: Values | undefined): void {
  for (const name in names) if (!refs.some((r) => r.names.has(name))) throw validation(`Value provided in ExpressionAttributeNames unused in expressions: keys: {${name}}`);
  for (const value in values) if (!refs.some((r) => r.values.has(value))) throw validation(`Value provided in ExpressionAttributeValues unused in expressions: keys: {${value}}`);
}

// ---------------------------------------------------------------- DynamoDB

export interface DynamoStats {
  /** Requests by operation (UpdateItem, PutItem, GetItem, Query, BatchWriteItem). */
  requests: Record<string, number>;
  wcu: number;
  rcu: number;
  /** WCU by item kind (META, REV, EVT, QUAR, … — the sort or partition key's prefix). */
  wcuByKind: Record<string, number>;
  /** Bytes of the items written, by kind (failed writes excluded). */
  bytesByKind: Record<string, number>;
  /** Items written, by kind (failed writes excluded). */
  itemsByKind: Record<string, number>;
  /** Writes whose condition failed (they are counted in `wcu` too). */
  failedConditions: number;
  failedConditionWcu: number;
  /** WCU consumed on the global secondary index (only with FakeDynamo's `index` option). */
  gsiWcu: number;
  /** Index entries written or deleted (a key change counts two). */
  gsiWrites: number;
  /** Wall time inside `send`, ms. */
  fakeMs: number;
}

export const emptyDynamoStats = (): DynamoStats => ({
  requests: {},
  wcu: 0,
  rcu: 0,
  wcuByKind: {},
  bytesByKind: {},
  itemsByKind: {},
  failedConditions: 0,
  failedConditionWcu: 0,
  gsiWcu: 0,
  gsiWrites: 0,
  fakeMs: 0,
});

/** The kind of an item of the sync-state table, for the WCU breakdown. */
export function itemKind(item: Item): string {
  const pk = String(item['pk']);
  if (pk.startsWith('REC#')) return String(item['sk']).replace(/#.*$/, '');
  return pk.replace(/#.*$/, '');
}

/** Items kept only as their key (see FakeDynamo's stubKinds). */
const STUBS = new WeakSet<Item>();

/** The key attributes of a global secondary index (its projection is taken to be ALL). */
export interface IndexKeys {
  pk: string;
  sk: string;
}

/** A table's state, for `restore`. */
export interface TableSnapshot {
  readonly items: ReadonlyMap<string, Item>;
  readonly sizes: ReadonlyMap<string, number>;
}

export class FakeDynamo {
  readonly items = new Map<string, Item>();
  /** Each stored item's size, computed once when it is written. */
  private readonly sizes = new Map<string, number>();
  stats: DynamoStats = emptyDynamoStats();

  /**
   * `stubKinds`: item kinds (see itemKind) kept only as their key, for items the code under test
   * writes but never reads back — the table's memory then does not grow with their content. Their
   * size is still charged and conditions on their existence still work; reading one throws.
   */
  constructor(
    readonly tableName: string,
    private readonly stubKinds: ReadonlySet<string> = new Set(),
    /** `index`: account the writes of this global secondary index (ALL projection) in `gsiWcu`. */
    private readonly options: { index?: IndexKeys } = {},
  ) {}

  /** The DocumentClient's `send`: resolves or rejects like the SDK, never synchronously throws. */
  async send(command: unknown): Promise<unknown> {
    const started = performance.now();
    try {
      return this.dispatch(command);
    } finally {
      this.stats.fakeMs += performance.now() - started;
    }
  }

  /** Empties the table (and keeps the counters). */
  clear(): void {
    this.items.clear();
    this.sizes.clear();
  }

  /** The table's current state (cheap: stored items are replaced, never mutated, so they are shared). */
  snapshot(): TableSnapshot {
    return { items: new Map(this.items), sizes: new Map(this.sizes) };
  }

  /** Puts the table back to `snapshot` (and keeps the counters). */
  restore(snapshot: TableSnapshot): void {
    this.clear();
    for (const [key, item] of snapshot.items) this.items.set(key, item);
    for (const [key, size] of snapshot.sizes) this.sizes.set(key, size);
  }

  private dispatch(command: unknown): unknown {
    if (command instanceof UpdateCommand) return this.update(command.input);
    if (command instanceof PutCommand) return this.put(command.input);
    if (command instanceof GetCommand) return this.get(command.input);
    if (command instanceof QueryCommand) return this.query(command.input);
    if (command instanceof BatchWriteCommand) return this.batchWrite(command.input);
    throw unsupported(`command ${(command as object | null)?.constructor?.name ?? String(command)}`);
  }

  private count(operation: string): void {
    this.stats.requests[operation] = (this.stats.requests[operation] ?? 0) + 1;
  }

  private checkTable(name: string | undefined): void {
    if (name !== this.tableName) throw named('ResourceNotFoundException', `Requested resource not found: table ${String(name)}`);
  }

  private keyOf(key: Item | undefined): string {
    const pk = key?.['pk'];
    const sk = key?.['sk'];
    if (typeof pk !== 'string' || typeof sk !== 'string' || pk === '' || sk === '') throw validation('The provided key element does not match the schema');
    return `${pk}\u0000${sk}`;
  }

  /** Writes `after` at `key`, charging the larger of its size and the size of the item it replaces. */
  private store(key: string, after: Item): void {
    const size = itemSize(after);
    if (size > MAX_ITEM_BYTES) throw validation('Item size has exceeded the maximum allowed size');
    const units = writeUnits(Math.max(size, this.sizes.get(key) ?? 0));
    const kind = itemKind(after);
    if (this.options.index) this.indexWrite(this.options.index, this.items.get(key), this.sizes.get(key) ?? 0, after, size);
    if (this.stubKinds.has(kind)) {
      const stub = { pk: after['pk'], sk: after['sk'] };
      STUBS.add(stub);
      this.items.set(key, stub);
    } else {
      this.items.set(key, after);
    }
    this.sizes.set(key, size);
    this.stats.wcu += units;
    this.stats.wcuByKind[kind] = (this.stats.wcuByKind[kind] ?? 0) + units;
    this.stats.bytesByKind[kind] = (this.stats.bytesByKind[kind] ?? 0) + size;
    this.stats.itemsByKind[kind] = (this.stats.itemsByKind[kind] ?? 0) + 1;
  }

  /** What writing `after` over `before` costs on the index (see the capacity rules above). */
  private indexWrite(index: IndexKeys, before: Item | undefined, beforeSize: number, after: Item, afterSize: number): void {
    const keyOf = (item: Item | undefined): string | undefined => {
      const pk = item?.[index.pk];
      const sk = item?.[index.sk];
      return typeof pk === 'string' && typeof sk === 'string' ? `${pk}\u0000${sk}` : undefined;
    };
    const old = keyOf(before);
    const next = keyOf(after);
    let units = 0;
    let writes = 0;
    if (old !== undefined && next !== undefined && old === next) {
      units = writeUnits(Math.max(beforeSize, afterSize));
      writes = 1;
    } else {
      if (old !== undefined) {
        units += writeUnits(beforeSize);
        writes++;
      }
      if (next !== undefined) {
        units += writeUnits(afterSize);
        writes++;
      }
    }
    this.stats.gsiWcu += units;
    this.stats.gsiWrites += writes;
  }

  /** A failed condition consumes write capacity by the existing item's size (1 WCU when there is none). */
  private failCondition(key: string): never {
    const units = writeUnits(this.sizes.get(key) ?? 0);
    this.stats.wcu += units;
    this.stats.failedConditions++;
    this.stats.failedConditionWcu += units;
    throw new ConditionalCheckFailedException({ message: 'The conditional request failed', $metadata: { httpStatusCode: 400 } });
  }

  /** The stored item, unless only its key was kept. */
  private readable(key: string): Item | undefined {
    const item = this.items.get(key);
    if (item && STUBS.has(item)) throw unsupported(`reading ${key.replace('\u0000', ' ')}: only the key of items of this kind is kept (stubKinds)`);
    return item;
  }

  private returnValues(mode: string | undefined, before: Item | undefined, after: Item): { Attributes?: Item } {
    switch (mode ?? 'NONE') {
      case 'NONE':
        return {};
      case 'ALL_OLD':
        return before ? { Attributes: copy(before) } : {};
      case 'ALL_NEW':
        return { Attributes: copy(after) };
      default:
        throw unsupported(`ReturnValues ${mode}`);
    }
  }

  private update(input: UpdateCommand['input']): unknown {
    this.count('UpdateItem');
    this.checkTable(input.TableName);
    const key = this.keyOf(input.Key);
    if (!input.UpdateExpression) throw unsupported('UpdateItem without an UpdateExpression');
    const names = (input.ExpressionAttributeNames ?? {}) as Names;
    const values = (input.ExpressionAttributeValues ?? {}) as Values;
    const update = compiled(updateCache, input.UpdateExpression, parseUpdate);
    const condition = input.ConditionExpression ? compiled(conditionCache, input.ConditionExpression, parseCondition) : undefined;
    checkAllUsed(condition ? [update.refs, condition.refs] : [update.refs], names, values);
    const before = this.readable(key);
    if (condition && !condition.run(before, names, values)) this.failCondition(key);
    const after: Item = before ? copy(before) : { pk: input.Key!['pk'], sk: input.Key!['sk'] };
    for (const action of update.run) action(before, after, names, values);
    if (after['pk'] !== input.Key!['pk'] || after['sk'] !== input.Key!['sk']) throw validation('Cannot update attribute pk or sk: they are part of the key');
    this.store(key, after);
    return this.returnValues(input.ReturnValues, before, after);
  }

  private put(input: PutCommand['input']): unknown {
    this.count('PutItem');
    this.checkTable(input.TableName);
    const item = copy(input.Item ?? {});
    const key = this.keyOf(item);
    const names = (input.ExpressionAttributeNames ?? {}) as Names;
    const values = (input.ExpressionAttributeValues ?? {}) as Values;
    const condition = input.ConditionExpression ? compiled(conditionCache, input.ConditionExpression, parseCondition) : undefined;
    checkAllUsed(condition ? [condition.refs] : [], names, values);
    if (input.ReturnValues && input.ReturnValues !== 'NONE' && input.ReturnValues !== 'ALL_OLD') throw unsupported(`PutItem ReturnValues ${input.ReturnValues}`);
    // a stub answers attribute_not_exists(pk) and nothing else
    const onlyExistence = input.ConditionExpression === 'attribute_not_exists(pk)' && (input.ReturnValues ?? 'NONE') === 'NONE';
    const before = onlyExistence ? this.items.get(key) : this.readable(key);
    if (condition && !condition.run(before, names, values)) this.failCondition(key);
    this.store(key, item);
    return this.returnValues(input.ReturnValues, before, item);
  }

  private get(input: GetCommand['input']): unknown {
    this.count('GetItem');
    this.checkTable(input.TableName);
    if (input.ProjectionExpression) throw unsupported('ProjectionExpression');
    const key = this.keyOf(input.Key);
    const item = this.readable(key);
    const units = Math.max(1, Math.ceil((this.sizes.get(key) ?? 0) / (4 * KB)));
    this.stats.rcu += input.ConsistentRead ? units : units / 2;
    return item ? { Item: copy(item) } : {};
  }

  /** `pk = :v` only, in sort-key order; Limit and ExclusiveStartKey honoured. */
  private query(input: QueryCommand['input']): unknown {
    this.count('Query');
    this.checkTable(input.TableName);
    if (input.IndexName || input.FilterExpression || input.ProjectionExpression) throw unsupported('Query on an index, with a filter or a projection');
    const m = /^\s*pk\s*=\s*(:[A-Za-z0-9_]+)\s*$/.exec(input.KeyConditionExpression ?? '');
    if (!m) throw unsupported(`key condition ${JSON.stringify(input.KeyConditionExpression)}`);
    const pk = input.ExpressionAttributeValues?.[m[1]!];
    const matching = [...this.items.values()].filter((item) => item['pk'] === pk).sort((a, b) => (String(a['sk']) < String(b['sk']) ? -1 : 1));
    if (matching.some((item) => STUBS.has(item))) throw unsupported(`querying ${String(pk)}: only the keys of some of its items are kept (stubKinds)`);
    if (input.ScanIndexForward === false) matching.reverse();
    let start = 0;
    if (input.ExclusiveStartKey) start = matching.findIndex((item) => item['sk'] === input.ExclusiveStartKey!['sk']) + 1;
    const page = matching.slice(start, input.Limit !== undefined ? start + input.Limit : undefined);
    const bytes = page.reduce((n, item) => n + itemSize(item), 0);
    const units = Math.max(1, Math.ceil(bytes / (4 * KB)));
    this.stats.rcu += input.ConsistentRead ? units : units / 2;
    const last = page.at(-1);
    const more = start + page.length < matching.length;
    return { Items: page.map(copy), Count: page.length, ...(more && last && { LastEvaluatedKey: { pk: last['pk'], sk: last['sk'] } }) };
  }

  private batchWrite(input: BatchWriteCommand['input']): unknown {
    this.count('BatchWriteItem');
    const tables = Object.keys(input.RequestItems ?? {});
    if (tables.length !== 1) throw unsupported('BatchWriteItem over several tables');
    this.checkTable(tables[0]);
    const requests = input.RequestItems![tables[0]!]!;
    if (requests.length === 0 || requests.length > BATCH_WRITE_LIMIT) throw validation(`BatchWriteItem takes 1 to ${BATCH_WRITE_LIMIT} requests, got ${requests.length}`);
    // the whole request is checked before anything is written
    const writes = new Map<string, Item>();
    for (const request of requests) {
      if (request.DeleteRequest) throw unsupported('DeleteRequest');
      const item = copy(request.PutRequest?.Item ?? {});
      const key = this.keyOf(item);
      if (writes.has(key)) throw validation('Provided list of item keys contains duplicates');
      if (itemSize(item) > MAX_ITEM_BYTES) throw validation('Item size has exceeded the maximum allowed size');
      writes.set(key, item);
    }
    for (const [key, item] of writes) this.store(key, item);
    return { UnprocessedItems: {} };
  }
}

// ---------------------------------------------------------------- SQS

export interface SentMessage {
  queueUrl: string;
  body: string;
  attributes: Record<string, string>;
}

export interface SqsStats {
  /** API calls by operation. */
  requests: Record<string, number>;
  /** Messages whose visibility timeout was changed (ChangeMessageVisibility and its batch form). */
  visibilityChanges: number;
  /** Requests as SQS bills them: each 64 KiB chunk of a request's payload is one. */
  billedRequests: number;
  messages: number;
  /** Payload bytes: bodies plus message attributes (name, type, value). */
  payloadBytes: number;
  fakeMs: number;
}

export const emptySqsStats = (): SqsStats => ({ requests: {}, visibilityChanges: 0, billedRequests: 0, messages: 0, payloadBytes: 0, fakeMs: 0 });

function attributeBytes(attributes: Record<string, MessageAttributeValue> | undefined): number {
  let n = 0;
  for (const [name, a] of Object.entries(attributes ?? {})) n += utf8(name) + utf8(a.DataType ?? '') + utf8(a.StringValue ?? '') + (a.BinaryValue?.byteLength ?? 0);
  return n;
}

function attributeStrings(attributes: Record<string, MessageAttributeValue> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, a] of Object.entries(attributes ?? {})) {
    if (a.DataType !== 'String' && a.DataType !== 'Number') throw unsupported(`message attribute type ${String(a.DataType)}`);
    out[name] = a.StringValue ?? '';
  }
  return out;
}

/** SQS caps a visibility timeout at 12 hours. */
const MAX_VISIBILITY_SECONDS = 12 * 60 * 60;

export interface VisibilityChange {
  queueUrl: string;
  receiptHandle: string;
  seconds: number;
}

export class FakeSqs {
  /** Every message sent, in order (cleared with `clear`). */
  readonly sent: SentMessage[] = [];
  /** Every visibility change, in order (cleared with `clear`). */
  readonly visibility: VisibilityChange[] = [];
  stats: SqsStats = emptySqsStats();
  private nextId = 1;

  async send(command: unknown): Promise<unknown> {
    const started = performance.now();
    try {
      return this.dispatch(command);
    } finally {
      this.stats.fakeMs += performance.now() - started;
    }
  }

  clear(): void {
    this.sent.length = 0;
    this.visibility.length = 0;
  }

  private dispatch(command: unknown): unknown {
    if (command instanceof SendMessageBatchCommand) {
      const { QueueUrl, Entries = [] } = command.input;
      this.count('SendMessageBatch');
      if (!QueueUrl) throw validation('QueueUrl is required');
      if (Entries.length === 0) throw named('EmptyBatchRequest', 'There should be at least one SendMessageBatchRequestEntry in the request.');
      if (Entries.length > SQS_BATCH_LIMIT) throw named('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${SQS_BATCH_LIMIT}. You have sent ${Entries.length}.`);
      const ids = new Set(Entries.map((e) => e.Id));
      if (ids.size !== Entries.length) throw named('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      let bytes = 0;
      const successful = Entries.map((e) => {
        if (!e.Id || !/^[A-Za-z0-9_-]{1,80}$/.test(e.Id)) throw named('InvalidBatchEntryId', `invalid batch entry id ${String(e.Id)}`);
        bytes += this.accept(QueueUrl, e.MessageBody, e.MessageAttributes);
        return { Id: e.Id, MessageId: this.messageId() };
      });
      this.bill(bytes);
      return { Successful: successful, Failed: [] };
    }
    if (command instanceof SendMessageCommand) {
      const { QueueUrl, MessageBody, MessageAttributes } = command.input;
      this.count('SendMessage');
      if (!QueueUrl) throw validation('QueueUrl is required');
      this.bill(this.accept(QueueUrl, MessageBody, MessageAttributes));
      return { MessageId: this.messageId() };
    }
    if (command instanceof ChangeMessageVisibilityCommand) {
      const { QueueUrl, ReceiptHandle, VisibilityTimeout } = command.input;
      this.count('ChangeMessageVisibility');
      this.changeVisibility(QueueUrl, ReceiptHandle, VisibilityTimeout);
      this.stats.billedRequests++;
      return {};
    }
    if (command instanceof ChangeMessageVisibilityBatchCommand) {
      const { QueueUrl, Entries = [] } = command.input;
      this.count('ChangeMessageVisibilityBatch');
      if (Entries.length === 0) throw named('EmptyBatchRequest', 'There should be at least one ChangeMessageVisibilityBatchRequestEntry in the request.');
      if (Entries.length > SQS_BATCH_LIMIT) throw named('TooManyEntriesInBatchRequest', `Maximum number of entries per request are ${SQS_BATCH_LIMIT}. You have sent ${Entries.length}.`);
      if (new Set(Entries.map((e) => e.Id)).size !== Entries.length) throw named('BatchEntryIdsNotDistinct', 'Two or more batch entries in the request have the same Id.');
      for (const e of Entries) this.changeVisibility(QueueUrl, e.ReceiptHandle, e.VisibilityTimeout);
      this.stats.billedRequests++;
      return { Successful: Entries.map((e) => ({ Id: e.Id })), Failed: [] };
    }
    throw unsupported(`command ${(command as object | null)?.constructor?.name ?? String(command)}`);
  }

  private count(operation: string): void {
    this.stats.requests[operation] = (this.stats.requests[operation] ?? 0) + 1;
  }

  private changeVisibility(queueUrl: string | undefined, receiptHandle: string | undefined, seconds: number | undefined): void {
    if (!queueUrl) throw validation('QueueUrl is required');
    if (!receiptHandle) throw validation('ReceiptHandle is required');
    if (seconds === undefined || !Number.isInteger(seconds) || seconds < 0 || seconds > MAX_VISIBILITY_SECONDS) {
      throw named('InvalidParameterValue', `VisibilityTimeout must be an integer from 0 to ${MAX_VISIBILITY_SECONDS}, got ${String(seconds)}`);
    }
    this.visibility.push({ queueUrl, receiptHandle, seconds });
    this.stats.visibilityChanges++;
  }

  private accept(queueUrl: string, body: string | undefined, attributes: Record<string, MessageAttributeValue> | undefined): number {
    if (!body) throw validation('MessageBody must not be empty');
    this.sent.push({ queueUrl, body, attributes: attributeStrings(attributes) });
    this.stats.messages++;
    const bytes = utf8(body) + attributeBytes(attributes);
    this.stats.payloadBytes += bytes;
    return bytes;
  }

  private bill(bytes: number): void {
    this.stats.billedRequests += Math.max(1, Math.ceil(bytes / SQS_BILLING_CHUNK));
  }

  private messageId(): string {
    return `00000000-0000-4000-8000-${String(this.nextId++).padStart(12, '0')}`;
  }
}
