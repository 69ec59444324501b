// The kubelet's image manager (pkg/kubelet/images): pulls a container's image as its imagePullPolicy
// says, records the Pulling/Pulled/Failed events, and backs off an image that failed to pull (10 s
// doubling to 5 minutes, per pod and image). With no registry reachable, a local image counts as pulled.
// Images once seen on the node are remembered (each container used to ask the engine two or three times
// per start); one is asked about again after a container of it failed to start (it may have been removed).
import type { Container, Pod } from '../shared/api/core';
import type { Clock } from '../shared/clock';
import { Backoff } from './backoff';
import type { ContainerRuntime } from './runtime/interface';

/** How long ErrImagePull stays visible after a failure before the reason turns to ImagePullBackOff. */
export const ERR_IMAGE_PULL_SHOWN_MS = 2_000;

export type PullReason = 'ErrImagePull' | 'ImagePullBackOff' | 'ErrImageNeverPull';

/** Why a container's image is not there, and when to try again. */
export class ImagePullError extends Error {
  constructor(
    readonly reason: PullReason,
    message: string,
    readonly retryAfterMs: number,
  ) {
    super(message);
  }
}

export type PodEvent = (pod: Pod, type: 'Normal' | 'Warning', reason: string, message: string) => void;

export class ImageManager {
  private readonly backoff = new Backoff();
  /** The last failed pull, by back-off key, shown until ImagePullBackOff replaces it. */
  private readonly lastFailure = new Map<string, ImagePullError>();
  /** Images seen on the node (present, or pulled). */
  private readonly known = new Set<string>();

  constructor(
    private readonly runtime: Pick<ContainerRuntime, 'imagePresent' | 'pullImage'>,
    private readonly clock: Clock,
    private readonly event: PodEvent,
  ) {}

  /** Pulls `image` as `policy` says, without events or back-off (the sandbox's image). */
  async ensureImage(image: string, policy: string | undefined): Promise<'present' | 'pulled'> {
    return this.pull(image, policy, await this.present(image));
  }

  /** Whether the image is on the node: remembered, else asked of the runtime. */
  private async present(image: string): Promise<boolean> {
    if (this.known.has(image)) return true;
    const present = await this.runtime.imagePresent(image);
    if (present) this.known.add(image);
    return present;
  }

  /** The engine may no longer hold the image (a container of it failed to start): ask again next time. */
  forgetImage(image: string): void {
    this.known.delete(image);
  }

  private async pull(image: string, policy: string | undefined, present: boolean): Promise<'present' | 'pulled'> {
    if (policy === 'Never') {
      if (!present) throw new ImagePullError('ErrImageNeverPull', `Container image "${image}" is not present with pull policy of Never`, 0);
      return 'present';
    }
    if (present && policy !== 'Always') return 'present';
    try {
      await this.runtime.pullImage(image);
      this.known.add(image);
      return 'pulled';
    } catch (err) {
      if (present) return 'present'; // Always, but the registry is unreachable: use the local copy
      throw new ImagePullError('ErrImagePull', `Failed to pull image "${image}": ${(err as Error).message}`, ERR_IMAGE_PULL_SHOWN_MS);
    }
  }

  /** EnsureImageExists: the container's image, with the pod's events; throws an ImagePullError. */
  async ensureImageExists(pod: Pod, c: Container): Promise<void> {
    const image = c.image!;
    const key = `${pod.metadata.uid}/${image}`;
    const now = this.clock.now();
    const until = this.backoff.backOffSinceUpdate(key, now);
    if (until !== undefined) {
      // ErrImagePull stays visible a moment after the failure, then ImagePullBackOff until the next try.
      const shownFor = now - this.backoff.lastUpdate(key)!;
      const last = this.lastFailure.get(key);
      if (last && shownFor < ERR_IMAGE_PULL_SHOWN_MS)
        throw new ImagePullError(last.reason, last.message, ERR_IMAGE_PULL_SHOWN_MS - shownFor);
      throw new ImagePullError('ImagePullBackOff', `Back-off pulling image "${image}"`, until - now);
    }
    try {
      const present = await this.present(image);
      if (c.imagePullPolicy === 'Always' || !present) this.event(pod, 'Normal', 'Pulling', `Pulling image "${image}"`);
      const how = await this.pull(image, c.imagePullPolicy, present);
      if (how === 'present' && c.imagePullPolicy !== 'Always')
        this.event(pod, 'Normal', 'Pulled', `Container image "${image}" already present on machine`);
      else this.event(pod, 'Normal', 'Pulled', `Successfully pulled image "${image}"`);
      this.backoff.reset(key);
      this.lastFailure.delete(key);
    } catch (err) {
      const failure =
        err instanceof ImagePullError ? err : new ImagePullError('ErrImagePull', (err as Error).message, ERR_IMAGE_PULL_SHOWN_MS);
      this.event(pod, 'Warning', 'Failed', failure.message);
      this.event(pod, 'Warning', 'Failed', `Error: ${failure.reason}`);
      this.backoff.next(key, this.clock.now());
      const shown = new ImagePullError(failure.reason, failure.message, ERR_IMAGE_PULL_SHOWN_MS);
      this.lastFailure.set(key, shown);
      throw shown;
    }
  }

  forgetPod(uid: string): void {
    this.backoff.forgetPod(uid);
    for (const key of this.lastFailure.keys()) if (key.startsWith(`${uid}/`)) this.lastFailure.delete(key);
  }
}
