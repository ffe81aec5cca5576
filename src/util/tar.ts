/**
 * A small ustar (POSIX.1-1988) writer: regular files, directories and symlinks with their
 * mode, owner and mtime. Enough to build a root filesystem in memory and hand it to an
 * image import, without shelling out to `tar`.
 */
export type TarEntry =
  | ({ type: 'file'; data: Buffer | string } & TarHeaderFields)
  | ({ type: 'directory' } & TarHeaderFields)
  | ({ type: 'symlink'; target: string } & TarHeaderFields);

export interface TarHeaderFields {
  /** Path inside the archive, relative ("etc/passwd"); a leading "/" or "./" is dropped. */
  path: string;
  /** Permission bits; default 0o644 for files, 0o755 for directories, 0o777 for symlinks. */
  mode?: number;
  uid?: number;
  gid?: number;
  /** Modification time; default the Unix epoch, so the same entries give the same bytes. */
  mtime?: Date;
}

const BLOCK = 512;
const TYPE_FLAG = { file: '0', symlink: '2', directory: '5' } as const;
const DEFAULT_MODE = { file: 0o644, symlink: 0o777, directory: 0o755 } as const;

/** Packs the entries, in order, into one archive ending with the two zero blocks. */
export function packTar(entries: readonly TarEntry[]): Buffer {
  const parts: Buffer[] = [];
  for (const entry of entries) {
    const data = entry.type === 'file' ? toBuffer(entry.data) : Buffer.alloc(0);
    parts.push(header(entry, data.length));
    if (data.length > 0) {
      parts.push(data, Buffer.alloc(padding(data.length)));
    }
  }
  parts.push(Buffer.alloc(2 * BLOCK));
  return Buffer.concat(parts);
}

function header(entry: TarEntry, size: number): Buffer {
  const block = Buffer.alloc(BLOCK);
  const { name, prefix } = splitPath(archivePath(entry));
  writeString(block, 0, 100, name);
  writeOctal(block, 100, 8, entry.mode ?? DEFAULT_MODE[entry.type]);
  writeOctal(block, 108, 8, entry.uid ?? 0);
  writeOctal(block, 116, 8, entry.gid ?? 0);
  writeOctal(block, 124, 12, size);
  writeOctal(block, 136, 12, Math.floor((entry.mtime?.getTime() ?? 0) / 1000));
  block.fill(0x20, 148, 156); // the checksum counts its own field as spaces
  writeString(block, 156, 1, TYPE_FLAG[entry.type]);
  if (entry.type === 'symlink') writeString(block, 157, 100, entry.target, 'symlink target');
  writeString(block, 257, 6, 'ustar'); // "ustar\0" + version "00"
  writeString(block, 263, 2, '00');
  writeString(block, 345, 155, prefix);
  let sum = 0;
  for (const byte of block) sum += byte;
  // Six octal digits, NUL, space: the layout every tar reader accepts.
  block.write(sum.toString(8).padStart(6, '0') + '\0 ', 148, 'ascii');
  return block;
}

function archivePath(entry: TarEntry): string {
  const path = entry.path.replace(/^(\.?\/)+/, '').replace(/\/+$/, '');
  if (path === '' || path.split('/').some((part) => part === '..' || part === '')) {
    throw new RangeError(`tar: invalid entry path ${JSON.stringify(entry.path)}`);
  }
  return entry.type === 'directory' ? path + '/' : path;
}

/** ustar stores long paths as prefix (155 bytes) + "/" + name (100 bytes). */
function splitPath(path: string): { name: string; prefix: string } {
  if (Buffer.byteLength(path) <= 100) return { name: path, prefix: '' };
  // A directory's trailing "/" must stay in the name part, so search before it.
  for (let cut = path.lastIndexOf('/', path.length - 2); cut > 0; cut = path.lastIndexOf('/', cut - 1)) {
    const prefix = path.slice(0, cut);
    const name = path.slice(cut + 1);
    if (Buffer.byteLength(prefix) <= 155 && Buffer.byteLength(name) <= 100) return { name, prefix };
  }
  throw new RangeError(`tar: path too long for ustar: ${path}`);
}

function writeString(block: Buffer, offset: number, length: number, value: string, what = 'field'): void {
  const bytes = Buffer.from(value, 'utf8');
  if (bytes.length > length) throw new RangeError(`tar: ${what} too long: ${value}`);
  bytes.copy(block, offset);
}

function writeOctal(block: Buffer, offset: number, length: number, value: number): void {
  const digits = value.toString(8);
  if (!Number.isInteger(value) || value < 0 || digits.length > length - 1) {
    throw new RangeError(`tar: number ${value} does not fit a ${length}-byte header field`);
  }
  block.write(digits.padStart(length - 1, '0') + '\0', offset, 'ascii');
}

function padding(size: number): number {
  return (BLOCK - (size % BLOCK)) % BLOCK;
}

function toBuffer(data: Buffer | string): Buffer {
  return typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
}
