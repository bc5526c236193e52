// Optional WebAssembly features the kernels use when the engine has them.
import { envVar, getBuiltin } from './host-builtin.js';
import { buildModule, f64x2RelaxedMadd, f64x2Zero, set, V128 } from './wasm-asm.js';

let fmaState: boolean | undefined;

/**
 * Whether relaxed SIMD (f32x4/f64x2.relaxed_madd: one FMA instruction on x64) validates
 * here. Node 20's V8 keeps it behind --experimental-wasm-relaxed-simd, which this turns on
 * once through node:v8 (it only lets modules use the relaxed opcodes); PMIX_WASM_FMA=0 leaves
 * V8's flags alone and the kernels use mul + add.
 */
export function fmaAvailable(): boolean {
  if (fmaState !== undefined) return fmaState;
  fmaState = false;
  try {
    const probe = buildModule([{ name: 'f', params: 0, locals: [[V128, 1]], body: set(0, f64x2Zero, f64x2Zero, f64x2Zero, f64x2RelaxedMadd) }]);
    if (WebAssembly.validate(probe)) return (fmaState = true);
    if (envVar('PMIX_WASM_FMA') === '0') return false;
    const v8 = getBuiltin<{ setFlagsFromString(flags: string): void }>('node:v8');
    if (!v8) return false;
    v8.setFlagsFromString('--experimental-wasm-relaxed-simd');
    fmaState = WebAssembly.validate(probe);
  } catch {
    fmaState = false;
  }
  return fmaState;
}
