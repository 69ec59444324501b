// The job controller's writes through the API: the Job's status, and taking the job-tracking finalizer
// off a pod with a JSON patch that first tests it is still there (no other finalizer is touched).
import { Job, JOB_TRACKING_FINALIZER } from '../../shared/api/batch';
import type { Pod } from '../../shared/api/core';
import { Jobs, Pods } from '../../shared/api/resources';
import type { Client } from '../../shared/client';
import { isNotFound } from '../../shared/errors';
import type { JobWriter } from './job';

export function realJobWriter(client: Client): JobWriter {
  return {
    updateStatus: (job) => client.resource<Job>(Jobs).updateStatus(job) as Promise<Job>,
    removeFinalizer: async (pod: Pod) => {
      const i = (pod.metadata.finalizers ?? []).indexOf(JOB_TRACKING_FINALIZER);
      if (i < 0) return;
      const path = `/metadata/finalizers/${i}`;
      const patch = [
        { op: 'test', path, value: JOB_TRACKING_FINALIZER },
        { op: 'remove', path },
      ];
      try {
        await client.resource<Pod>(Pods).patch(pod.metadata.namespace, pod.metadata.name!, patch, 'json');
      } catch (err) {
        if (!isNotFound(err)) throw err;
      }
    },
  };
}
