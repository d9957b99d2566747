/**
 * A restricted unpickler for PyTorch state dicts. It interprets the pickle opcodes that
 * `torch.save(state_dict)` writes (protocols 2–5) and builds plain values; the only callables it
 * knows are the handful a state dict uses, looked up in an explicit table. Any other global
 * (`os.system`, `builtins.eval`, …) is refused before anything runs, so a hostile checkpoint can
 * never execute code: nothing here calls into a name taken from the file.
 */

export class PickleError extends Error {}

/** A persistent id `('storage', storageType, key, location, numel)`: the tensor's bytes live in the zip. */
export interface StorageRef {
  kind: 'storage';
  /** 'HalfStorage', 'FloatStorage', 'BFloat16Storage', … */
  storageType: string;
  key: string;
  numel: number;
}

/** `torch._utils._rebuild_tensor_v2(storage, offset, size, stride, …)`, not yet read from the zip. */
export interface TensorRef {
  kind: 'tensor';
  storage: StorageRef;
  offset: number;
  shape: number[];
  stride: number[];
}

export type PickleValue =
  | null
  | boolean
  | number
  | bigint
  | string
  | Uint8Array
  | PickleValue[]
  | Map<PickleValue, PickleValue>
  | StorageRef
  | TensorRef
  | { kind: 'global'; name: string }
  | { kind: 'tuple'; items: PickleValue[] };

type Global = { kind: 'global'; name: string };

/** The globals a state dict may name. Storage classes are only markers; the functions build plain values. */
const STORAGE_TYPES = new Set(['HalfStorage', 'FloatStorage', 'BFloat16Storage', 'DoubleStorage', 'LongStorage', 'IntStorage', 'ShortStorage', 'ByteStorage', 'CharStorage', 'BoolStorage']);
const ALLOWED_GLOBALS = new Set([
  'collections.OrderedDict',
  'torch._utils._rebuild_tensor_v2',
  'torch._utils._rebuild_parameter',
  ...[...STORAGE_TYPES].map((s) => `torch.${s}`),
]);

const MARK = Symbol('mark');
type StackItem = PickleValue | typeof MARK;

const tuple = (items: PickleValue[]): PickleValue => ({ kind: 'tuple', items });
const itemsOf = (v: PickleValue): PickleValue[] => {
  if (Array.isArray(v)) return v;
  if (v !== null && typeof v === 'object' && 'kind' in v && v.kind === 'tuple') return v.items;
  throw new PickleError('expected a tuple');
};
const asNumber = (v: PickleValue, what: string): number => {
  if (typeof v === 'number') return v;
  if (typeof v === 'bigint' && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v);
  throw new PickleError(`${what} is not an integer`);
};

function applyGlobal(fn: Global, args: PickleValue[]): PickleValue {
  switch (fn.name) {
    case 'collections.OrderedDict':
      return new Map();
    case 'torch._utils._rebuild_tensor_v2': {
      const [storage, offset, size, stride] = args;
      if (storage === null || typeof storage !== 'object' || !('kind' in storage) || storage.kind !== 'storage') {
        throw new PickleError('_rebuild_tensor_v2 without a storage');
      }
      return {
        kind: 'tensor',
        storage,
        offset: asNumber(offset, 'tensor offset'),
        shape: itemsOf(size).map((d) => asNumber(d, 'tensor size')),
        stride: itemsOf(stride).map((d) => asNumber(d, 'tensor stride')),
      };
    }
    case 'torch._utils._rebuild_parameter':
      // (tensor, requires_grad, backward_hooks): a parameter is its tensor.
      return args[0];
    default:
      throw new PickleError(`${fn.name} cannot be called`);
  }
}

/**
 * Parses `bytes` (a `data.pkl`). Refuses unknown opcodes, unknown globals, and structure a state
 * dict never has, naming the offset; never executes anything the file names.
 */
export function unpickleStateDict(bytes: Uint8Array): PickleValue {
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const text = new TextDecoder('utf-8', { fatal: true });
  const stack: StackItem[] = [];
  const memo = new Map<number, PickleValue>();
  let pos = 0;
  const need = (n: number) => {
    if (pos + n > bytes.length) throw new PickleError(`truncated pickle at byte ${pos}`);
  };
  const u8 = () => (need(1), bytes[pos++]);
  const u16 = () => (need(2), (pos += 2), view.getUint16(pos - 2, true));
  const u32 = () => (need(4), (pos += 4), view.getUint32(pos - 4, true));
  const i32 = () => (need(4), (pos += 4), view.getInt32(pos - 4, true));
  const u64 = () => {
    need(8);
    const v = view.getBigUint64(pos, true);
    pos += 8;
    if (v > BigInt(bytes.length)) throw new PickleError(`length ${v} at byte ${pos - 8} runs past the end`);
    return Number(v);
  };
  const take = (n: number) => (need(n), (pos += n), bytes.subarray(pos - n, pos));
  const line = () => {
    const end = bytes.indexOf(0x0a, pos);
    if (end < 0) throw new PickleError(`truncated pickle at byte ${pos}`);
    const s = text.decode(bytes.subarray(pos, end));
    pos = end + 1;
    return s;
  };
  const pop = (): PickleValue => {
    const v = stack.pop();
    if (v === undefined || v === MARK) throw new PickleError(`stack underflow at byte ${pos}`);
    return v;
  };
  const popMark = (): PickleValue[] => {
    const at = stack.lastIndexOf(MARK);
    if (at < 0) throw new PickleError(`no MARK at byte ${pos}`);
    const items = stack.splice(at) as PickleValue[];
    items.shift();
    return items;
  };
  const top = (): PickleValue => {
    const v = stack[stack.length - 1];
    if (v === undefined || v === MARK) throw new PickleError(`stack underflow at byte ${pos}`);
    return v;
  };
  const global = (name: string): PickleValue => {
    if (!ALLOWED_GLOBALS.has(name)) {
      throw new PickleError(`refused global ${name}: a state dict only uses ${[...ALLOWED_GLOBALS].filter((g) => !g.includes('Storage')).join(', ')} and torch storage types`);
    }
    return { kind: 'global', name };
  };
  const setItems = (target: PickleValue, pairs: PickleValue[]) => {
    if (!(target instanceof Map)) throw new PickleError(`SETITEM on a non-dict at byte ${pos}`);
    for (let i = 0; i + 1 < pairs.length; i += 2) target.set(pairs[i], pairs[i + 1]);
  };

  for (;;) {
    const at = pos;
    const op = u8();
    switch (op) {
      case 0x80: u8(); break; // PROTO
      case 0x95: take(8); break; // FRAME
      case 0x2e: { // STOP
        const result = pop();
        return result;
      }
      case 0x28: stack.push(MARK); break;
      case 0x7d: stack.push(new Map()); break; // EMPTY_DICT
      case 0x5d: stack.push([]); break; // EMPTY_LIST
      case 0x29: stack.push(tuple([])); break; // EMPTY_TUPLE
      case 0x4e: stack.push(null); break; // NONE
      case 0x88: stack.push(true); break;
      case 0x89: stack.push(false); break;
      case 0x4b: stack.push(u8()); break; // BININT1
      case 0x4d: stack.push(u16()); break; // BININT2
      case 0x4a: stack.push(i32()); break; // BININT
      case 0x8a: { // LONG1
        const n = u8();
        const raw = take(n);
        let v = 0n;
        for (let i = n - 1; i >= 0; i--) v = (v << 8n) | BigInt(raw[i]);
        if (n > 0 && raw[n - 1] & 0x80) v -= 1n << BigInt(8 * n);
        stack.push(v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(v) : v);
        break;
      }
      case 0x47: need(8); stack.push(view.getFloat64(pos, false)); pos += 8; break; // BINFLOAT
      case 0x58: stack.push(text.decode(take(u32()))); break; // BINUNICODE
      case 0x8c: stack.push(text.decode(take(u8()))); break; // SHORT_BINUNICODE
      case 0x8d: stack.push(text.decode(take(u64()))); break; // BINUNICODE8
      case 0x55: stack.push(new TextDecoder('latin1').decode(take(u8()))); break; // SHORT_BINSTRING
      case 0x54: stack.push(new TextDecoder('latin1').decode(take(u32()))); break; // BINSTRING
      case 0x43: stack.push(take(u8()).slice()); break; // SHORT_BINBYTES
      case 0x42: stack.push(take(u32()).slice()); break; // BINBYTES
      case 0x71: memo.set(u8(), top()); break; // BINPUT
      case 0x72: memo.set(u32(), top()); break; // LONG_BINPUT
      case 0x94: memo.set(memo.size, top()); break; // MEMOIZE
      case 0x68: case 0x6a: { // BINGET, LONG_BINGET
        const key = op === 0x68 ? u8() : u32();
        if (!memo.has(key)) throw new PickleError(`memo ${key} not set at byte ${at}`);
        stack.push(memo.get(key)!);
        break;
      }
      case 0x74: stack.push(tuple(popMark())); break; // TUPLE
      case 0x85: stack.push(tuple([pop()])); break; // TUPLE1
      case 0x86: { const b = pop(); const a = pop(); stack.push(tuple([a, b])); break; } // TUPLE2
      case 0x87: { const c = pop(); const b = pop(); const a = pop(); stack.push(tuple([a, b, c])); break; } // TUPLE3
      case 0x6c: stack.push(popMark()); break; // LIST
      case 0x61: { const v = pop(); const list = top(); if (!Array.isArray(list)) throw new PickleError(`APPEND on a non-list at byte ${at}`); list.push(v); break; }
      case 0x65: { const items = popMark(); const list = top(); if (!Array.isArray(list)) throw new PickleError(`APPENDS on a non-list at byte ${at}`); list.push(...items); break; }
      case 0x64: { const items = popMark(); const d = new Map(); setItems(d, items); stack.push(d); break; } // DICT
      case 0x73: { const v = pop(); const k = pop(); setItems(top(), [k, v]); break; } // SETITEM
      case 0x75: { const items = popMark(); setItems(top(), items); break; } // SETITEMS
      case 0x63: { const mod = line(); const name = line(); stack.push(global(`${mod}.${name}`)); break; } // GLOBAL
      case 0x93: { // STACK_GLOBAL
        const name = pop();
        const mod = pop();
        if (typeof mod !== 'string' || typeof name !== 'string') throw new PickleError(`STACK_GLOBAL without names at byte ${at}`);
        stack.push(global(`${mod}.${name}`));
        break;
      }
      case 0x52: { // REDUCE
        const args = itemsOf(pop());
        const fn = pop();
        if (fn === null || typeof fn !== 'object' || !('kind' in fn) || fn.kind !== 'global') throw new PickleError(`REDUCE of a non-callable at byte ${at}`);
        stack.push(applyGlobal(fn, args));
        break;
      }
      case 0x81: { // NEWOBJ: cls.__new__(cls, *args); only OrderedDict is a class we know
        const args = itemsOf(pop());
        const cls = pop();
        if (cls === null || typeof cls !== 'object' || !('kind' in cls) || cls.kind !== 'global') throw new PickleError(`NEWOBJ of a non-class at byte ${at}`);
        stack.push(applyGlobal(cls, args));
        break;
      }
      case 0x62: pop(); break; // BUILD: an OrderedDict's state (`_metadata`) is not needed
      case 0x51: { // BINPERSID
        const pid = itemsOf(pop());
        const [tag, storageType, key, , numel] = pid;
        if (tag !== 'storage' || storageType === null || typeof storageType !== 'object' || !('kind' in storageType) || storageType.kind !== 'global') {
          throw new PickleError(`unknown persistent id at byte ${at}`);
        }
        const type = storageType.name.replace(/^torch\./, '');
        if (!STORAGE_TYPES.has(type)) throw new PickleError(`unknown storage type ${storageType.name}`);
        stack.push({ kind: 'storage', storageType: type, key: String(key), numel: asNumber(numel, 'storage size') });
        break;
      }
      case 0x30: pop(); break; // POP
      case 0x31: popMark(); break; // POP_MARK
      case 0x32: stack.push(top()); break; // DUP
      default:
        throw new PickleError(`unsupported pickle opcode 0x${op.toString(16).padStart(2, '0')} at byte ${at} (only what state dicts use is read)`);
    }
  }
}
