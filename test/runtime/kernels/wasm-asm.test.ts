// The assembler's LEB128 encodings (runtime/kernels/wasm-asm.ts) byte by byte: the textbook
// examples (DWARF / Wikipedia: 624485 unsigned = e5 8e 26, -123456 signed = c0 bb 78), the edges of
// the 32- and 64-bit ranges worked out from the definition (7 bits a byte, low group first, the
// continuation bit 0x80, the sign bit 0x40 of the last byte), and an i64 constant stored by a real
// WebAssembly module and read back as a BigInt.
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { buildModule, i32, i64, sleb, uleb } from '../../../runtime/kernels/wasm-asm.js';

const hex = (bytes: readonly number[]): string => bytes.map((b) => b.toString(16).padStart(2, '0')).join(' ');

/** What an i64.const of v stores, run by the engine. */
function roundTrip(v: number | bigint): bigint {
  const mem = new WebAssembly.Memory({ initial: 1 });
  const bytes = buildModule([{ name: 'f', params: 0, locals: [], body: [...i32(0), ...i64(v), 0x37, 3, 0] }]);
  const inst = new WebAssembly.Instance(new WebAssembly.Module(bytes), { env: { mem } });
  (inst.exports.f as () => void)();
  return new BigInt64Array(mem.buffer, 0, 1)[0]!;
}

describe('LEB128 in the wasm assembler', () => {
  it('encodes the textbook examples', () => {
    expect(hex(uleb(624485))).toBe('e5 8e 26');
    expect(hex(sleb(-123456))).toBe('c0 bb 78');
    expect(hex(uleb(0))).toBe('00');
    expect(hex(sleb(-1))).toBe('7f');
    expect(hex(sleb(63))).toBe('3f');
    expect(hex(sleb(64))).toBe('c0 00');
    expect(hex(sleb(-64))).toBe('40');
    expect(hex(sleb(-65))).toBe('bf 7f');
    expect(hex(i32(2 ** 31 - 1))).toBe('41 ff ff ff ff 07');
    expect(hex(i32(-(2 ** 31)))).toBe('41 80 80 80 80 78');
  });

  it('encodes i64 constants beyond 32 bits and negative ones', () => {
    const cases: [number | bigint, string][] = [
      [1023, '42 ff 07'],
      [-1, '42 7f'],
      [2 ** 31, '42 80 80 80 80 08'],
      [2 ** 32, '42 80 80 80 80 10'],
      [-(2 ** 31) - 1, '42 ff ff ff ff 77'],
      [Number.MAX_SAFE_INTEGER, '42 ff ff ff ff ff ff ff 0f'],
      [-Number.MAX_SAFE_INTEGER, '42 81 80 80 80 80 80 80 70'],
      [2n ** 63n - 1n, '42 ff ff ff ff ff ff ff ff ff 00'],
      [-(2n ** 63n), '42 80 80 80 80 80 80 80 80 80 7f'],
      // the bits of +Infinity as an f64
      [0x7ff0000000000000n, '42 80 80 80 80 80 80 80 f8 ff 00'],
    ];
    for (const [v, want] of cases) expect(`${v}: ${hex(i64(v))}`).toBe(`${v}: ${want}`);
  });

  it('an i64.const stores the value asked for (the engine decodes it)', () => {
    for (const v of [0n, 1023n, -1n, 2n ** 31n, 2n ** 32n + 5n, -(2n ** 40n) - 3n, 2n ** 63n - 1n, -(2n ** 63n)]) expect(roundTrip(v)).toBe(v);
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), (v) => {
        expect(roundTrip(v)).toBe(v);
      }),
      { numRuns: 200 },
    );
    fc.assert(
      fc.property(fc.integer({ min: Number.MIN_SAFE_INTEGER, max: Number.MAX_SAFE_INTEGER }), (v) => {
        expect(roundTrip(v)).toBe(BigInt(v));
      }),
      { numRuns: 200 },
    );
  });

  it('refuses what it cannot encode exactly, by value', () => {
    expect(() => i64(2 ** 60)).toThrow(/i64 constant 1152921504606847000 is not a safe integer: pass a bigint/);
    expect(() => i64(1.5)).toThrow(/i64 constant 1.5/);
    expect(() => i64(2n ** 63n)).toThrow(/outside the 64-bit range/);
    expect(() => sleb(2 ** 31)).toThrow(/2147483648 is outside the 32-bit range/);
    expect(() => uleb(-1)).toThrow(/-1 is not a whole number from 0 to 4294967295/);
  });
});
