/**
 * The cluster secret: 32 random bytes in a file readable by its owner only (mode 0600), shared
 * by every node of a cluster. The transport's handshake proves knowledge of it.
 */
import { randomBytes } from 'node:crypto';
import { constants } from 'node:fs';
import { chmod, mkdir, open, stat, type FileHandle } from 'node:fs/promises';
import { dirname } from 'node:path';

export const SECRET_BYTES = 32;

/** The secret file is unusable: the message says what is wrong and how to fix it. */
export class SecretFileError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'SecretFileError';
  }
}

/** POSIX permissions are not meaningful on Windows: there only size and type are checked. */
const CHECK_MODE = process.platform !== 'win32';

function octal(mode: number): string {
  return (mode & 0o777).toString(8).padStart(4, '0');
}

/**
 * Reads the cluster secret at `path`, creating it (32 random bytes, mode 0600, parent folders
 * 0700) if it does not exist. Refuses with a {@link SecretFileError} a file that is not a regular
 * file, whose size is not 32 bytes, or whose permissions are broader than 0600.
 */
export async function loadOrCreateSecret(path: string): Promise<Buffer> {
  try {
    return await loadSecret(path);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
  }
  await mkdir(dirname(path), { recursive: true, mode: 0o700 });
  const secret = randomBytes(SECRET_BYTES);
  let file: FileHandle;
  try {
    // O_EXCL: never overwrite a secret another process created meanwhile.
    file = await open(path, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL, 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') return loadSecret(path);
    throw e;
  }
  try {
    await file.writeFile(secret);
    await file.sync();
  } finally {
    await file.close();
  }
  // The umask can only narrow 0600, but be explicit.
  if (CHECK_MODE) await chmod(path, 0o600);
  return secret;
}

/** Reads and checks an existing secret file (ENOENT propagates as is). */
export async function loadSecret(path: string): Promise<Buffer> {
  const st = await stat(path);
  if (!st.isFile()) throw new SecretFileError(`cluster secret ${path} is not a regular file`);
  if (CHECK_MODE && (st.mode & 0o177) !== 0) {
    throw new SecretFileError(
      `cluster secret ${path} has permissions ${octal(st.mode)}, broader than 0600: ` +
        `anyone who can read it can join the cluster. Run \`chmod 600 ${path}\` and restart.`,
    );
  }
  if (st.size !== SECRET_BYTES) {
    throw new SecretFileError(
      `cluster secret ${path} is ${st.size} bytes long, expected exactly ${SECRET_BYTES} ` +
        `random bytes. Restore the file copied from the other nodes, or delete it to create a ` +
        `new secret (then copy it to every node).`,
    );
  }
  const file = await open(path, 'r');
  try {
    const buf = Buffer.alloc(SECRET_BYTES + 1);
    const { bytesRead } = await file.read(buf, 0, buf.length, 0);
    if (bytesRead !== SECRET_BYTES) {
      throw new SecretFileError(`cluster secret ${path} changed size while being read`);
    }
    return buf.subarray(0, SECRET_BYTES);
  } finally {
    await file.close();
  }
}
