// Where the native artifacts (native/build/: libvmt.so, vmt-trace) are: in
// the package, found upwards from this module (dist/vmt.js in the bundle,
// build/src/ffi/ under the tests), or embedded in the standalone binary,
// whose entry registers them in globalThis.__vmtEmbedded.
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

export type NativeArtifact = 'libvmt.so' | 'vmt-trace';

export function embeddedPath(name: NativeArtifact): string | undefined {
  return (globalThis as { __vmtEmbedded?: Partial<Record<NativeArtifact, string>> }).__vmtEmbedded?.[name];
}

export function nativePath(name: NativeArtifact): string {
  const embedded = embeddedPath(name);
  if (embedded) return embedded;
  const rel = join('native/build', name);
  for (let dir = dirname(fileURLToPath(import.meta.url)); ; dir = dirname(dir)) {
    if (existsSync(join(dir, rel))) return join(dir, rel);
    if (dirname(dir) === dir) return fileURLToPath(new URL(`../${rel}`, import.meta.url));
  }
}
