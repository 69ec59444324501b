// Client certificate authentication (kube-apiserver --client-ca-file): a TLS client whose certificate
// chains to the client CA, and allows client authentication, is the user its subject names: the common
// name is the user name, each organization a group (`CN=system:node:w1, O=system:nodes`). The TLS layer
// has checked the chain and validity against the CA (the server requests, but does not require, a
// certificate); here a certificate it could not verify is refused, as Kubernetes refuses it.
import type { TLSSocket } from 'node:tls';
import { certificateIdentity } from '../../shared/pki';
import type { CertificateAuthenticator } from './authenticator';

const CLIENT_AUTH = '1.3.6.1.5.5.7.3.2';

export const x509Authenticator: CertificateAuthenticator = {
  authenticateConnection(socket: TLSSocket) {
    const cert = socket.getPeerX509Certificate?.();
    if (!cert) return undefined;
    if (!socket.authorized)
      return { refused: `verifying certificate ${cert.subject.replace(/\n/g, ', ')} failed: ${socket.authorizationError}` };
    // A certificate that names its uses must name client authentication (a serving certificate does not).
    if (cert.keyUsage && !cert.keyUsage.includes(CLIENT_AUTH)) return { refused: 'the certificate does not allow client authentication' };
    const { user, groups } = certificateIdentity({ subject: { ...socket.getPeerCertificate().subject } });
    return user ? { user: { username: user, groups } } : { refused: 'the certificate names no user (CN)' };
  },
};
