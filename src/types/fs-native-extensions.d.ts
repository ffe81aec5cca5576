// The one function podctl uses from fs-native-extensions (the package ships no types).
declare module 'fs-native-extensions' {
  /** Takes an exclusive (or shared) lock on an open fd without waiting; false when another holds it. */
  export function tryLock(fd: number, options?: { shared?: boolean }): boolean;
}
