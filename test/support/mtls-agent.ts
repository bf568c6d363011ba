import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdirSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ConsulAgentProcess } from '../../src/dev/agent-process.js';
import { freePort } from '../../src/dev/ports.js';
import { agentDisposable, consulBinary, useFixture } from './consul.js';

/** Certificates made by `consul tls`, as an operator would make them. */
export interface ConsulCertificates {
  readonly dir: string;
  readonly caFile: string;
  /** A directory holding the CA and an unrelated CA, for `CONSUL_CAPATH`. */
  readonly caPath: string;
  readonly clientCert: string;
  readonly clientKey: string;
}

export interface MtlsAgentFixture {
  readonly agent: ConsulAgentProcess;
  /** `https://127.0.0.1:<https port>`: the server certificate's SANs are server.dc1.consul, localhost, 127.0.0.1. */
  readonly httpsAddr: string;
  readonly httpsPort: number;
  readonly certs: ConsulCertificates;
  /** The variables a client needs: address, CA and client pair. */
  readonly env: Readonly<Record<string, string>>;
}

/** `consul tls ca create`, then a `-server` and a `-client` certificate, in a fresh folder. */
export function createCertificates(): ConsulCertificates {
  const dir = mkdtempSync(join(tmpdir(), 'baton-mtls-'));
  const consul = (...args: string[]): void => {
    execFileSync(consulBinary(), ['tls', ...args], { cwd: dir, stdio: 'ignore' });
  };
  consul('ca', 'create');
  consul('cert', 'create', '-server', '-dc', 'dc1');
  consul('cert', 'create', '-client', '-dc', 'dc1');
  const other = join(dir, 'other');
  mkdirSync(other);
  execFileSync(consulBinary(), ['tls', 'ca', 'create', '-domain', 'other'], { cwd: other, stdio: 'ignore' });
  const caPath = join(dir, 'ca.d');
  mkdirSync(caPath);
  copyFileSync(join(dir, 'consul-agent-ca.pem'), join(caPath, 'consul-agent-ca.pem'));
  copyFileSync(join(other, 'other-agent-ca.pem'), join(caPath, 'other-agent-ca.crt'));
  return {
    dir,
    caFile: join(dir, 'consul-agent-ca.pem'),
    caPath,
    clientCert: join(dir, 'dc1-client-consul-0.pem'),
    clientKey: join(dir, 'dc1-client-consul-0-key.pem'),
  };
}

/**
 * A dev agent serving HTTPS beside its plain HTTP port (which the fixture uses to wait for readiness). With
 * `verifyIncoming` (the default) a client certificate the CA signed is required.
 */
export function useHttpsAgent(options: { verifyIncoming?: boolean } = {}): { get(): MtlsAgentFixture } {
  const verifyIncoming = options.verifyIncoming ?? true;
  return useFixture(
    async () => {
      const certs = createCertificates();
      const httpsPort = await freePort();
      const agent = await ConsulAgentProcess.start({
        binary: consulBinary(),
        nodeName: verifyIncoming ? 'mtls-dev' : 'tls-dev',
        mode: 'dev',
        extraHcl: [
          `ports { https = ${httpsPort} }`,
          `tls { defaults { ca_file = "${certs.caFile}" cert_file = "${certs.dir}/dc1-server-consul-0.pem" ` +
            `key_file = "${certs.dir}/dc1-server-consul-0-key.pem" verify_incoming = ${verifyIncoming} } }`,
        ],
      });
      await agent.waitReady();
      const httpsAddr = `https://127.0.0.1:${httpsPort}`;
      const env = {
        CONSUL_HTTP_ADDR: httpsAddr,
        CONSUL_CACERT: certs.caFile,
        CONSUL_CLIENT_CERT: certs.clientCert,
        CONSUL_CLIENT_KEY: certs.clientKey,
      };
      return { agent, httpsAddr, httpsPort, certs, env };
    },
    (fixture) => agentDisposable(fixture.agent),
  );
}
