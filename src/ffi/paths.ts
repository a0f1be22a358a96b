// Where the native artifacts (libvmt.so, vmt-trace) are: embedded in the
// standalone binary, whose entry registers them in globalThis.__vmtEmbedded;
// else in the package, found upwards from this module (dist/vmt.js in the
// bundle, build/src/ffi/ under the tests): native/build/ (compiled here, by
// `npm install` in a checkout or by the install-time fallback) first, then
// native/prebuilt/<platform>-<arch>/ (shipped in the npm package, built by
// `npm pack` for linux-x64 and linux-arm64).
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** ffi-rs.node: ffi-rs's addon, which only the Node single executable carries (bin/sea.ts) */
export type NativeArtifact = 'libvmt.so' | 'vmt-trace' | 'ffi-rs.node';

export function embeddedPath(name: NativeArtifact): string | undefined {
  return (globalThis as { __vmtEmbedded?: Partial<Record<NativeArtifact, string>> }).__vmtEmbedded?.[name];
}

/** The folder of the prebuilt artifacts for this machine: native/prebuilt/linux-x64, ... */
export function prebuiltDir(platform: string = process.platform, arch: string = process.arch): string {
  return `native/prebuilt/${platform}-${arch}`;
}

/**
 * The first of `rels` that exists under a folder at or above `from`, searched
 * folder by folder upwards; else the first one as seen from `from`'s parent.
 */
export function findUpwards(from: string, rels: string[]): string {
  for (let dir = from; ; dir = dirname(dir)) {
    for (const rel of rels) if (existsSync(join(dir, rel))) return join(dir, rel);
    if (dirname(dir) === dir) return join(dirname(from), rels[0]!);
  }
}

export function nativePath(name: NativeArtifact): string {
  const embedded = embeddedPath(name);
  if (embedded) return embedded;
  return findUpwards(dirname(fileURLToPath(import.meta.url)), [join('native/build', name), join(prebuiltDir(), name)]);
}
