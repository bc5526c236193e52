/// <reference types="@webgpu/types" />
// Buffer helpers: upload, allocate, read back. The usage flags are spelled as numbers (the
// WebGPU spec's values) so these work before Dawn's globals exist in Node.
export const USAGE = { MAP_READ: 0x1, COPY_SRC: 0x4, COPY_DST: 0x8, UNIFORM: 0x40, STORAGE: 0x80 } as const;
const MAP_MODE_READ = 0x1;

/** Sizes are padded to 4 bytes (writeBuffer and copies need it); zero-size buffers become 4 bytes. */
const padded = (bytes: number): number => Math.max(4, Math.ceil(bytes / 4) * 4);

/** A storage buffer (readable by shaders, copyable both ways) holding data. */
export function uploadStorage(device: GPUDevice, data: Float32Array | Uint32Array | Int32Array, label?: string): GPUBuffer {
  const buffer = device.createBuffer({ label, size: padded(data.byteLength), usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
  if (data.byteLength > 0) device.queue.writeBuffer(buffer, 0, data.buffer, data.byteOffset, data.byteLength);
  return buffer;
}

/** An uninitialized (zeroed) storage buffer of bytes. */
export function storageBuffer(device: GPUDevice, bytes: number, label?: string): GPUBuffer {
  return device.createBuffer({ label, size: padded(bytes), usage: USAGE.STORAGE | USAGE.COPY_SRC | USAGE.COPY_DST });
}

/** A uniform buffer of 32-bit words (padded to 16 bytes, as uniforms need). */
export function uniformBuffer(device: GPUDevice, words: Uint32Array | Float32Array, label?: string): GPUBuffer {
  const size = Math.max(16, Math.ceil(words.byteLength / 16) * 16);
  const buffer = device.createBuffer({ label, size, usage: USAGE.UNIFORM | USAGE.COPY_DST });
  device.queue.writeBuffer(buffer, 0, words.buffer, words.byteOffset, words.byteLength);
  return buffer;
}

/** Overwrites the start of a buffer with data. */
export function writeBuffer(device: GPUDevice, buffer: GPUBuffer, data: Float32Array | Uint32Array | Int32Array, offsetBytes = 0): void {
  device.queue.writeBuffer(buffer, offsetBytes, data.buffer, data.byteOffset, data.byteLength);
}

/** Copies bytes of buffer (after the queued work) back to the host as float32. */
export async function readF32(device: GPUDevice, buffer: GPUBuffer, bytes = buffer.size, offsetBytes = 0): Promise<Float32Array> {
  return new Float32Array(await readBytes(device, buffer, bytes, offsetBytes));
}

export async function readU32(device: GPUDevice, buffer: GPUBuffer, bytes = buffer.size, offsetBytes = 0): Promise<Uint32Array> {
  return new Uint32Array(await readBytes(device, buffer, bytes, offsetBytes));
}

async function readBytes(device: GPUDevice, buffer: GPUBuffer, bytes: number, offsetBytes: number): Promise<ArrayBuffer> {
  const size = padded(bytes);
  const staging = device.createBuffer({ size, usage: USAGE.MAP_READ | USAGE.COPY_DST });
  const enc = device.createCommandEncoder();
  enc.copyBufferToBuffer(buffer, offsetBytes, staging, 0, size);
  device.queue.submit([enc.finish()]);
  await staging.mapAsync(MAP_MODE_READ);
  const out = staging.getMappedRange().slice(0, bytes);
  staging.unmap();
  staging.destroy();
  return out;
}
