import type { Command } from 'commander';
import { ConsulAgentProcess } from '../../dev/agent-process.js';
import { locateConsul } from '../../dev/consul-binary.js';
import { freePort } from '../../dev/ports.js';
import { CliError, ExitCode } from '../exit.js';

export function registerConsulDev(program: Command): void {
  program
    .command('consul-dev')
    .description('run a local Consul dev agent (the embedded default), printing its address; Ctrl-C stops it')
    .option('--http-port <port>', 'HTTP port (default 8500 if free, else a free one)')
    .action(async (options: { httpPort?: string }) => {
      const binary = await locateConsul({ log: (line) => process.stderr.write(`baton: ${line}\n`) });
      const http = await pickHttpPort(options.httpPort);
      const agent = await ConsulAgentProcess.start({
        binary: binary.path,
        nodeName: 'baton-dev',
        mode: 'dev',
        ports: { http, serfLan: await freePort(), serfWan: await freePort(), server: await freePort() },
      });
      await agent.waitReady();
      process.stdout.write(
        `Consul ${binary.version} dev agent ready\nexport CONSUL_HTTP_ADDR=${agent.httpAddr}\nlog: ${agent.logPath}\n`,
      );
      await new Promise<void>((resolve) => {
        process.once('SIGINT', resolve);
        process.once('SIGTERM', resolve);
      });
      await agent.dispose();
    });
}

async function pickHttpPort(requested: string | undefined): Promise<number> {
  if (requested === undefined) return (await isFree(8500)) ? 8500 : freePort();
  const port = Number(requested);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new CliError(
      `--http-port must be a port number from 1 to 65535, got "${requested}"`,
      ExitCode.usage,
    );
  }
  return port;
}

async function isFree(port: number): Promise<boolean> {
  const { createServer } = await import('node:net');
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => {
      resolve(false);
    });
    server.listen(port, '127.0.0.1', () =>
      server.close(() => {
        resolve(true);
      }),
    );
  });
}
