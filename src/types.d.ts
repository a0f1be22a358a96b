// Files the standalone binary embeds (bun build --compile): the import yields their path.
declare module '*.so' {
  const path: string;
  export default path;
}
declare module '*/vmt-trace' {
  const path: string;
  export default path;
}
