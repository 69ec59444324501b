// The Kubernetes version this cluster implements: reported by the apiserver's /version and by every
// component in its Node, User-Agent and flags. It is the newest minor kubectl here speaks (1.27 to 1.33 all
// work run directly); the /usr/bin/kubectl dispatcher runs the kubectl of the reported minor.
export const KUBERNETES_VERSION = { major: '1', minor: '33', gitVersion: 'v1.33.0-mini' };
