// What a Linux machine lacks for Dawn's Vulkan backend: the loader (libvulkan.so.1), an ICD
// file (/usr/share/vulkan/icd.d, /etc/vulkan/icd.d) and, where the machine has an NVIDIA GPU
// (/dev/nvidia0), the NVIDIA driver's ICD. Off Linux, or in a browser, it knows nothing.
// Browser-safe: Node's fs is reached through process.getBuiltinModule (Node >= 20.16).

export interface VulkanDiagnosis {
  /** Pieces whose absence rules a Vulkan adapter out. */
  readonly missing: string[];
  /** Observations that may explain a missing adapter but do not rule one out. */
  readonly notes: string[];
}

type Fs = { existsSync(p: string): boolean; readdirSync(p: string): string[] };

const LIB_DIRS = ['/usr/lib/x86_64-linux-gnu', '/usr/lib/aarch64-linux-gnu', '/usr/lib64', '/usr/lib', '/lib/x86_64-linux-gnu', '/lib64', '/usr/local/lib'];
export const ICD_DIRS = ['/usr/share/vulkan/icd.d', '/etc/vulkan/icd.d', '/usr/local/share/vulkan/icd.d'];

export function diagnoseLinuxVulkan(root = ''): VulkanDiagnosis {
  const proc = (globalThis as { process?: { platform?: string; env?: Record<string, string | undefined>; getBuiltinModule?: (m: string) => unknown } }).process;
  if (proc?.platform !== 'linux' || typeof proc.getBuiltinModule !== 'function') return { missing: [], notes: [] };
  const fs = proc.getBuiltinModule('node:fs') as Fs;
  const env = proc.env ?? {};
  const missing: string[] = [];
  const notes: string[] = [];
  const extraLib = (env.LD_LIBRARY_PATH ?? '').split(':').filter((d) => d !== '');
  const hasLoader = [...extraLib, ...LIB_DIRS].some((d) => fs.existsSync(`${root}${d}/libvulkan.so.1`));
  if (!hasLoader) missing.push('the Vulkan loader libvulkan.so.1 is not installed (Debian/Ubuntu: apt-get install libvulkan1)');
  const icdFiles = (env.VK_ICD_FILENAMES ?? env.VK_DRIVER_FILES ?? '').split(':').filter((f) => f !== '');
  const icds = icdFiles.length > 0 ? icdFiles.filter((f) => fs.existsSync(`${root}${f}`)) : ICD_DIRS.flatMap((d) => (fs.existsSync(`${root}${d}`) ? fs.readdirSync(`${root}${d}`).filter((f) => f.endsWith('.json')) : []));
  const nvidiaGpu = fs.existsSync(`${root}/dev/nvidia0`) || fs.existsSync(`${root}/proc/driver/nvidia/version`);
  if (icds.length === 0) {
    missing.push(
      `no Vulkan driver (ICD file) under ${ICD_DIRS.slice(0, 2).join(' or ')}` +
        (nvidiaGpu ? ' (this machine has an NVIDIA GPU: install the NVIDIA driver with its Vulkan ICD, nvidia_icd.json, e.g. libnvidia-gl or the full driver package)' : ''),
    );
  } else if (nvidiaGpu && !icds.some((f) => /nvidia/i.test(f))) {
    notes.push(`the machine has an NVIDIA GPU but no NVIDIA Vulkan ICD (found ${icds.join(', ')}): install the NVIDIA driver's Vulkan part (nvidia_icd.json)`);
  }
  if (!nvidiaGpu && icds.length > 0 && icds.every((f) => /lvp|lavapipe|swiftshader/i.test(f))) notes.push(`only software Vulkan drivers found (${icds.join(', ')})`);
  return { missing, notes };
}
