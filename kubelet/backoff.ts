// The kubelet's back-offs are client-go's flowcontrol.Backoff, shared with the controllers.
export * from '../shared/backoff';
