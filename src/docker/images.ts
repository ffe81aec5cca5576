import type Dockerode from 'dockerode';
import { PodctlError } from '../util/errors.js';
import type { Logger } from '../util/logger.js';
import { dockerMessage, dockerStatus, wrapDockerError } from './client.js';

/** One line of the engine's pull progress ("a1b2c3: Downloading 1.2MB/3MB"). */
export interface PullEvent {
  image: string;
  id?: string;
  status: string;
  progress?: string;
}

export interface EnsureImagesOptions {
  /** Called for each progress event of a pull, for a live display. */
  onPull?: (event: PullEvent) => void;
  /** Builds an image that cannot be pulled (podctl's own pause image); absent = pull only. */
  buildLocal?: Map<string, () => Promise<void>>;
  logger?: Logger;
}

export async function imageExists(docker: Dockerode, image: string): Promise<boolean> {
  try {
    await docker.getImage(image).inspect();
    return true;
  } catch (err) {
    if (dockerStatus(err) === 404) return false;
    throw wrapDockerError(err, `inspect image ${image}`);
  }
}

/**
 * Makes sure every image is present: checks them all at once, then pulls (or builds) the
 * missing ones, also at once. Fails with one line naming the image that cannot be had.
 */
export async function ensureImages(docker: Dockerode, images: string[], options: EnsureImagesOptions = {}): Promise<void> {
  const unique = [...new Set(images)];
  const present = await Promise.all(unique.map((image) => imageExists(docker, image)));
  const missing = unique.filter((_, i) => !present[i]);
  await Promise.all(
    missing.map(async (image) => {
      const build = options.buildLocal?.get(image);
      if (build) {
        options.logger?.info('building local image', { image });
        await build();
        return;
      }
      options.logger?.info('pulling image', { image });
      await pullImage(docker, image, options.onPull);
    }),
  );
}

export async function pullImage(docker: Dockerode, image: string, onPull?: (event: PullEvent) => void): Promise<void> {
  const cannotPull = (why: string, cause?: unknown) =>
    new PodctlError('NOT_FOUND', `image ${image} is not here and cannot be pulled: ${why}`, {
      hint: 'check the image name, or load it first (docker load / docker import)',
      cause,
    });
  let stream: NodeJS.ReadableStream;
  try {
    stream = (await docker.pull(image)) as NodeJS.ReadableStream;
  } catch (err) {
    const wrapped = wrapDockerError(err, `pull ${image}`);
    if (wrapped !== err) throw wrapped;
    throw cannotPull(dockerMessage(err), err);
  }
  // An engine may answer 200 and report the failure inside the stream (podman always does,
  // dockerd for some registry errors); dockerode's followProgress passes such lines on as
  // progress, so the first one is kept and fails the pull.
  let streamError: string | undefined;
  await new Promise<void>((resolve, reject) => {
    docker.modem.followProgress(
      stream,
      (err: Error | null) => {
        if (err) reject(cannotPull(err.message, err));
        else if (streamError !== undefined) reject(cannotPull(streamError));
        else resolve();
      },
      (event: { id?: string; status?: string; progress?: string; error?: string; errorDetail?: { message?: string } }) => {
        if (event.error !== undefined) {
          streamError ??= event.errorDetail?.message ?? event.error;
          return;
        }
        onPull?.({ image, id: event.id, status: event.status ?? '', progress: event.progress });
      },
    );
  });
}
