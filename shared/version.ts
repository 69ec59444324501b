// The Kubernetes version this cluster implements: reported by the apiserver's /version and by every
// component in its Node, User-Agent and flags. The minor decides which kubectl the /usr/bin/kubectl
// dispatcher runs.
export const KUBERNETES_VERSION = { major: '1', minor: '31', gitVersion: 'v1.31.0-mini' };
